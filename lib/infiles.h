/*
 * infiles.h: the file operands of a filter read one after the other, as
 * cat(1) does ('-' or no operand at all: standard input), through one line
 * reader whose line numbers run on across the files. Each line number
 * maps back to its file and its line within that file.
 */
#ifndef WEBMON_INFILES_H
#define WEBMON_INFILES_H

#include <stddef.h>

#include "lines.h"

struct infile {
	const char *name;	/* the operand, "<stdin>" for '-'; not owned */
	unsigned long base;	/* lines of the inputs before it */
};

struct infiles {
	struct lines *in;	/* not owned: the reader, set up by infiles_next() */
	char **names;		/* not owned */
	int n, next;
	size_t max;		/* longest line, for lines_init() */
	struct infile *files;	/* owned: those opened so far; the last is *in */
	size_t nfiles;
};

/*
 * Open one operand for reading: '-' is standard input, named "<stdin>" in
 * *name, else *name is operand. Returns the descriptor (close it unless
 * STDIN_FILENO), or -1 with a message in err.
 */
int infiles_open(const char *operand, const char **name, char *err,
    size_t errsize);

/*
 * Set up over operands names[0..n) (none: standard input), reading through
 * in, which infiles_next() sets up. Free with infiles_free().
 */
void infiles_init(struct infiles *f, struct lines *in, char **names, int n,
    size_t max);

/*
 * Open the next operand. Returns 0 when it is open in f->in (line numbers
 * go on from the previous input), 1 with a message in err when it could
 * not be opened and was skipped, -1 when none is left (f->in is kept).
 */
int infiles_next(struct infiles *f, char *err, size_t errsize);

/* The input holding line number lineno; *line gets the line within it. */
const struct infile *infiles_where(const struct infiles *f,
    unsigned long lineno, unsigned long *line);

/* Close the last input (unless stdin) and free the list; lines_free() the reader. */
void infiles_free(struct infiles *f);

#endif
