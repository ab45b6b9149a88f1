/*
 * ackreader.h: reads the acknowledgement stream of a sink: one decimal
 * number per line, the cumulative count of input lines the sink has made
 * durable. The path is usually a FIFO; it is opened without blocking, so no
 * writer needs to be there yet, and reopened when a writer closes it, so
 * that poll() does not spin on a hung-up FIFO. A regular file is followed
 * like tail -f: at its end ackreader_fd() returns -1 and the next
 * ackreader_next() tries again.
 */
#ifndef WEBMON_ACKREADER_H
#define WEBMON_ACKREADER_H

#include <stddef.h>
#include <stdint.h>

#define ACKREADER_LINEMAX 64

enum {
	ACK_ERR = -1,		/* read or reopen failed, errno set */
	ACK_NONE = 0,		/* nothing more to read now */
	ACK_COUNT = 1,		/* *count holds the next count */
	ACK_BAD = 2		/* a line that is not a count; its start is in bad */
};

struct ackreader {
	char *path;		/* owned */
	int fd;			/* -1 when closed */
	int isfifo;
	int ateof;		/* regular file: read() returned 0 last time */
	unsigned long hangups;	/* times a writer closed the FIFO */
	unsigned long lineno;	/* lines read so far */
	char line[ACKREADER_LINEMAX];
	size_t len;
	int toolong;		/* the current line overflowed line[] */
	char rbuf[4096];
	size_t rpos, rlen;
};

/* Open path for reading without blocking. Returns 0, or -1 with errstr set. */
int ackreader_open(struct ackreader *ar, const char *path, char *errstr,
    size_t errsize);
/* The descriptor to poll for POLLIN, or -1 when there is none to poll. */
int ackreader_fd(const struct ackreader *ar);
/*
 * Return the next complete line without blocking: ACK_COUNT with the number
 * in *count, ACK_BAD with the line (cut, NUL-terminated) in bad, ACK_NONE
 * when nothing complete is available, ACK_ERR on error.
 */
int ackreader_next(struct ackreader *ar, uint64_t *count, char *bad,
    size_t badsize);
/* Close the descriptor and free the path. */
void ackreader_close(struct ackreader *ar);

#endif
