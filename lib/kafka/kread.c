/* kread.c: delimited records read in large blocks (see kread.h). */
#include "kafka/kread.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "util.h"

void
kread_init(struct kread *r, int fd, const char *delim, size_t dlen,
    size_t max)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->delim = delim ? delim : "\n";
	r->dlen = delim ? dlen : 1;
	r->strip_cr = r->dlen == 1 && r->delim[0] == '\n';
	r->max = max;
	r->cap = KREAD_BLOCK;
	r->buf = xmalloc(r->cap);
}

void
kread_free(struct kread *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* The delimiter after pos + scan, or NULL (then scan moves on). */
static const char *
find(struct kread *r)
{
	const char *s = r->buf + r->pos + r->scan, *d;
	size_t n = r->len - r->pos - r->scan, avail = r->len - r->pos;

	if (r->dlen == 1)
		d = memchr(s, r->delim[0], n);
	else
		d = memmem(s, n, r->delim, r->dlen);
	if (d == NULL && avail >= r->dlen)
		r->scan = avail - (r->dlen - 1);	/* a delimiter may straddle */
	return d;
}

/* Read more after the buffered bytes, making room first. 0 or -1. */
static int
more(struct kread *r)
{
	ssize_t n;

	if (r->pos > 0 && r->cap - r->len < KREAD_BLOCK / 2) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len == r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		r->eof = 1;
	r->len += (size_t)n;
	return 0;
}

/*
 * The record at pos is over the limit: keep its first max bytes at the
 * start of the buffer and drop the rest of it as it is read.
 */
static int
skip(struct kread *r, const char **rec, size_t *len)
{
	const char *d;

	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	if (r->cap < r->max + r->dlen + KREAD_BLOCK) {
		r->cap = r->max + r->dlen + KREAD_BLOCK;
		r->buf = xrealloc(r->buf, r->cap);
	}
	for (;;) {
		if (r->scan > r->max) {
			memmove(r->buf + r->max, r->buf + r->scan,
			    r->len - r->scan);
			r->len -= r->scan - r->max;
			r->scan = r->max;
		}
		if (r->eof) {
			r->pos = r->len;
			r->partial = 1;
			break;
		}
		if (more(r) < 0)
			return LINES_ERR;
		if ((d = find(r)) != NULL) {
			r->pos = (size_t)(d - r->buf) + r->dlen;
			break;
		}
	}
	r->scan = 0;
	r->lineno++;
	*rec = r->buf;
	*len = r->max;
	return LINES_TOOLONG;
}

int
kread_next(struct kread *r, const char **rec, size_t *len)
{
	const char *d, *s;
	size_t n;

	r->partial = 0;
	for (;;) {
		if ((d = find(r)) != NULL) {
			s = r->buf + r->pos;
			n = (size_t)(d - s);
			r->pos += n + r->dlen;
			break;
		}
		if (r->eof) {
			s = r->buf + r->pos;
			if ((n = r->len - r->pos) == 0)
				return LINES_EOF;
			r->pos = r->len;
			r->partial = 1;
			break;
		}
		if (r->scan > r->max + 1)	/* no delimiter within reach */
			return skip(r, rec, len);
		if (more(r) < 0)
			return LINES_ERR;
	}
	r->scan = 0;
	r->lineno++;
	if (r->strip_cr && n > 0 && n <= r->max + 1 && s[n - 1] == '\r')
		n--;
	*rec = s;
	if (n > r->max) {
		*len = r->max;
		return LINES_TOOLONG;
	}
	*len = n;
	return LINES_OK;
}

int
kread_complete(struct kread *r)
{
	return r->eof || r->scan > r->max + 1 || find(r) != NULL;
}

int
kread_wait(struct kread *r, int timeout_ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	int n;

	if (kread_complete(r))
		return 1;
	n = poll(&pfd, 1, timeout_ms);
	/* a signal (EINTR) is no input; other errors: let read() report them */
	return n > 0 || (n < 0 && errno != EINTR);
}

size_t
kread_unread(struct kread *r)
{
	size_t n = r->len - r->pos;

	if (n == 0 || lseek(r->fd, -(off_t)n, SEEK_CUR) >= 0)
		return 0;
	return n;
}
