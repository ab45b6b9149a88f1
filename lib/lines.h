/*
 * lines.h: a buffered line reader on a file descriptor with line numbers and
 * a maximum line length. Usable from a poll() loop: lines_buffered() tells
 * whether the next call can return without reading.
 */
#ifndef WEBMON_LINES_H
#define WEBMON_LINES_H

#include <stddef.h>

#include "buf.h"

enum {
	LINES_ERR = -1,		/* read error, errno set */
	LINES_EOF = 0,
	LINES_OK = 1,
	LINES_TOOLONG = 2	/* line over the limit: consumed, first max bytes returned */
};

struct lines {
	int fd;			/* not owned */
	const char *name;	/* for messages: file name or "<stdin>"; not owned */
	unsigned long lineno;	/* number of the line last returned, from 1 */
	size_t max;		/* longest line accepted, without its newline */
	int strip_cr;		/* drop one '\r' before the '\n' */
	int eof;
	int partial;		/* the line last returned had no newline: input ended */
	char *rbuf;		/* read buffer: bytes [rpos, rlen) not consumed yet */
	size_t rpos, rlen, rcap;
	struct buf line;	/* the line being assembled / returned */
};

/* Set up a reader on fd; name is kept for messages. Free with lines_free(). */
void lines_init(struct lines *l, int fd, const char *name, size_t max);
void lines_free(struct lines *l);
/*
 * Return the next line (without newline, NUL-terminated, valid until the next
 * call) in *line and *len. Blocks in read() when needed.
 */
int lines_next(struct lines *l, char **line, size_t *len);
/* 1 if lines_next() can return without calling read(), else 0. */
int lines_buffered(const struct lines *l);
/*
 * One read(2) into the buffer, keeping what is there: for a poll() loop
 * that must never block inside an unfinished line. Returns bytes read, 0 at
 * end of input (or when the buffer is full), -1 on error.
 */
long lines_fill(struct lines *l);
/* Drop the buffered bytes of an unfinished line; returns how many. */
size_t lines_drop_partial(struct lines *l);
/*
 * Wait up to timeout_ms for input. Returns 1 when lines_next() can go on
 * (a line buffered, input ready, or a poll error read() will report), 0 on
 * timeout or a signal.
 */
int lines_wait(const struct lines *l, int timeout_ms);
/*
 * Give the buffered bytes not yet returned back to a seekable input (its
 * next reader starts with them). Returns how many could not go back (0 on
 * a seekable input or when none are buffered).
 */
size_t lines_unread(struct lines *l);

#endif
