/* pgreject.c: reject records, queued and written before the ack. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "pg/pgreject.h"
#include "progress.h"

int
pgreject_open(struct pgreject *r, const char *path, char *err, size_t errsize)
{
	struct stat sb;

	memset(r, 0, sizeof(*r));
	r->fd = 2;
	r->name = "<stderr>";
	if (path == NULL)
		return 0;
	if ((r->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0666)) < 0) {
		snprintf(err, errsize, "open '%s': %s", path, strerror(errno));
		return -1;
	}
	r->name = path;
	r->sync = fstat(r->fd, &sb) == 0 && S_ISREG(sb.st_mode);
	return 0;
}

void
pgreject_add(struct pgreject *r, const char *file, unsigned long lineno,
    const char *why, const char *line, size_t len)
{
	struct jsonw w;

	jsonw_init(&w, &r->queue);
	jsonw_obj_begin(&w);
	if (file) {
		jsonw_key(&w, "file");
		jsonw_str(&w, file);
	}
	jsonw_key(&w, "line");
	jsonw_int(&w, (int64_t)lineno);
	jsonw_key(&w, "error");
	jsonw_str(&w, why);
	jsonw_key(&w, "input");
	jsonw_strn(&w, line, len);
	jsonw_obj_end(&w);
	buf_putc(&r->queue, '\n');
}

int
pgreject_write(struct pgreject *r, char *err, size_t errsize)
{
	if (r->queue.len == 0)
		return 0;
	progress_before(r->fd);	/* no line after progress text */
	if (buf_write_fd(&r->queue, r->fd) < 0) {
		snprintf(err, errsize, "write '%s': %s", r->name,
		    strerror(errno));
		return -1;
	}
	if (r->sync && fdatasync(r->fd) < 0 && errno != EINVAL) {
		snprintf(err, errsize, "sync '%s': %s", r->name,
		    strerror(errno));
		return -1;
	}
	buf_reset(&r->queue);
	return 0;
}

void
pgreject_free(struct pgreject *r)
{
	if (r->fd > 2)
		close(r->fd);
	buf_free(&r->queue);
}
