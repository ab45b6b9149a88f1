/* infiles.c: file operands read one after the other through one line reader. */
#include "infiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void
infiles_init(struct infiles *f, struct lines *in, char **names, int n, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->in = in;
	f->names = names;
	f->n = n;
	f->max = max;
}

int
infiles_open(const char *operand, const char **name, char *err,
    size_t errsize)
{
	int fd;

	*name = operand;
	if (strcmp(operand, "-") == 0) {
		*name = "<stdin>";
		return STDIN_FILENO;
	}
	if ((fd = open(operand, O_RDONLY | O_CLOEXEC)) < 0)
		snprintf(err, errsize, "open '%s': %s", operand, strerror(errno));
	return fd;
}

int
infiles_next(struct infiles *f, char *err, size_t errsize)
{
	unsigned long base = f->nfiles ? f->in->lineno : 0;
	const char *name;
	int fd;

	if (f->next >= (f->n ? f->n : 1))
		return -1;
	name = f->n ? f->names[f->next] : "-";
	f->next++;
	if ((fd = infiles_open(name, &name, err, errsize)) < 0)
		return 1;
	if (f->nfiles) {
		if (f->in->fd != STDIN_FILENO)
			close(f->in->fd);
		lines_free(f->in);
	}
	f->files = xreallocarray(f->files, f->nfiles + 1, sizeof(*f->files));
	f->files[f->nfiles].name = name;
	f->files[f->nfiles++].base = base;
	lines_init(f->in, fd, name, f->max);
	f->in->lineno = base;
	return 0;
}

const struct infile *
infiles_where(const struct infiles *f, unsigned long lineno, unsigned long *line)
{
	const struct infile *in;

	*line = lineno;
	if (f->nfiles == 0)
		return NULL;
	for (in = &f->files[f->nfiles - 1]; in > f->files && lineno <= in->base; in--)
		;
	*line = lineno - in->base;
	return in;
}

void
infiles_free(struct infiles *f)
{
	if (f->nfiles && f->in->fd != STDIN_FILENO)
		close(f->in->fd);
	free(f->files);
	memset(f, 0, sizeof(*f));
}
