/*
 * kread.h: a producer's input split into records at a delimiter (a
 * newline, or kcat's -D string), read in large blocks. A record is handed
 * out where it lies in the read buffer, without a copy; a record longer
 * than the buffer makes the buffer grow up to the record limit. Usable from
 * a poll() loop like lines.h, whose return codes it shares.
 */
#ifndef WEBMON_KREAD_H
#define WEBMON_KREAD_H

#include <stddef.h>

#define KREAD_BLOCK	(1024 * 1024)	/* bytes asked of each read(2) */

struct kread {
	int fd;			/* not owned */
	const char *delim;	/* the record delimiter; not owned */
	size_t dlen;		/* its length, at least 1 */
	int strip_cr;		/* "\n": drop one '\r' before it, as lines.h */
	size_t max;		/* longest record accepted, without delimiter */
	unsigned long lineno;	/* number of the record last returned, from 1 */
	int eof;
	int partial;		/* the record last returned had no delimiter */
	char *buf;		/* owned: bytes [pos, len) not consumed yet */
	size_t pos, len, cap;
	size_t scan;		/* bytes from pos known to hold no delimiter */
};

/*
 * Read records from fd ending in delim (dlen > 0; kept, not copied; NULL
 * for "\n"), each at most max bytes. Free with kread_free().
 */
void kread_init(struct kread *r, int fd, const char *delim, size_t dlen,
    size_t max);
void kread_free(struct kread *r);
/*
 * The next record in *rec and *len (without its delimiter; not
 * NUL-terminated; valid until the next call on r). Blocks in read() when
 * needed. Returns LINES_OK, LINES_EOF, LINES_ERR (errno set), or
 * LINES_TOOLONG: a record over max was consumed, *rec holds its first max
 * bytes.
 */
int kread_next(struct kread *r, const char **rec, size_t *len);
/* 1 if a whole record (or the end of input) is buffered, else 0. */
int kread_complete(struct kread *r);
/*
 * Wait up to timeout_ms for input. Returns 1 when kread_next() can go on
 * (a record buffered, input ready, or a poll error read() will report), 0
 * on timeout or a signal.
 */
int kread_wait(struct kread *r, int timeout_ms);
/*
 * Give the buffered bytes not yet returned back to a seekable input.
 * Returns how many could not go back (0 on a seekable input or when none
 * are buffered).
 */
size_t kread_unread(struct kread *r);

#endif
