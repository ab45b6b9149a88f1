/* idset.c: a hash set of strings with an append-only, fsynced file behind it. */
#include "state/idset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

void
idset_init(struct idset *s)
{
	memset(s, 0, sizeof *s);
	s->cap = 1024;
	s->slot = xcalloc(s->cap, sizeof *s->slot);
	s->fd = -1;
}

static size_t
find(const struct idset *s, const char *id)
{
	size_t i = hash_str(id) & (s->cap - 1);

	while (s->slot[i] && strcmp(s->slot[i], id) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

int
idset_has(const struct idset *s, const char *id)
{
	return s->slot[find(s, id)] != NULL;
}

int
idset_add(struct idset *s, const char *id)
{
	size_t i = find(s, id), j, oldcap;
	char **old;

	if (s->slot[i])
		return 0;
	s->slot[i] = xstrdup(id);
	if (++s->n * 2 > s->cap) {
		old = s->slot;
		oldcap = s->cap;
		s->cap *= 2;
		s->slot = xcalloc(s->cap, sizeof *s->slot);
		for (j = 0; j < oldcap; j++)
			if (old[j])
				s->slot[find(s, old[j])] = old[j];
		free(old);
	}
	return 1;
}

void
idset_clear(struct idset *s)
{
	size_t i;

	if (s->n == 0)
		return;
	for (i = 0; i < s->cap; i++) {
		free(s->slot[i]);
		s->slot[i] = NULL;
	}
	s->n = 0;
}

int
idset_open(struct idset *s, const char *path, char *err, size_t errsize)
{
	struct buf b = BUF_INIT;
	char chunk[65536], *p, *nl;
	ssize_t n;
	off_t keep;

	if ((s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0)
		goto fail;
	while ((n = read(s->fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	for (p = b.data; p && (nl = memchr(p, '\n', b.len - (size_t)(p - b.data))); p = nl + 1) {
		*nl = '\0';
		if (*p)
			idset_add(s, p);
	}
	/* Drop a last line cut by a crash, so the next append starts clean. */
	keep = p ? (off_t)(p - b.data) : 0;
	if (keep != (off_t)b.len && ftruncate(s->fd, keep) < 0)
		goto fail;
	if (lseek(s->fd, keep, SEEK_SET) < 0)
		goto fail;
	s->path = xstrdup(path);
	buf_free(&b);
	return 0;
fail:
	snprintf(err, errsize, "'%s': %s", path, strerror(errno));
	buf_free(&b);
	return -1;
}

int
idset_record(struct idset *s, char *const *ids, size_t n, char *err,
    size_t errsize)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (s->fd >= 0) {
		for (i = 0; i < n; i++) {
			buf_puts(&b, ids[i]);
			buf_putc(&b, '\n');
		}
		if (buf_write_fd(&b, s->fd) < 0 || fdatasync(s->fd) < 0) {
			snprintf(err, errsize, "write '%s': %s", s->path,
			    strerror(errno));
			buf_free(&b);
			return -1;
		}
		buf_free(&b);
	}
	for (i = 0; i < n; i++)
		idset_add(s, ids[i]);
	return 0;
}

void
idset_free(struct idset *s)
{
	idset_clear(s);
	free(s->slot);
	free(s->path);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}
