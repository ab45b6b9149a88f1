/* lines.c: a buffered line reader with line numbers and a length limit. */
#include "lines.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define READ_CHUNK (64 * 1024)

void
lines_init(struct lines *l, int fd, const char *name, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->name = name;
	l->max = max;
	l->strip_cr = 1;
	l->rcap = READ_CHUNK;
	l->rbuf = xmalloc(l->rcap);
}

void
lines_free(struct lines *l)
{
	free(l->rbuf);
	l->rbuf = NULL;
	buf_free(&l->line);
}

int
lines_buffered(const struct lines *l)
{
	return l->eof || (l->rpos == 0 && l->rlen == l->rcap) ||
	    memchr(l->rbuf + l->rpos, '\n', l->rlen - l->rpos) != NULL;
}

long
lines_fill(struct lines *l)
{
	ssize_t n;

	if (l->rpos > 0) {
		memmove(l->rbuf, l->rbuf + l->rpos, l->rlen - l->rpos);
		l->rlen -= l->rpos;
		l->rpos = 0;
	}
	if (l->rlen == l->rcap || l->eof)
		return 0;
	do
		n = read(l->fd, l->rbuf + l->rlen, l->rcap - l->rlen);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		l->eof = 1;
	l->rlen += (size_t)n;
	return (long)n;
}

size_t
lines_drop_partial(struct lines *l)
{
	size_t n = l->rlen - l->rpos;

	if (memchr(l->rbuf + l->rpos, '\n', n) != NULL)
		return 0;
	l->rpos = l->rlen = 0;
	return n;
}

static int
fill(struct lines *l)
{
	ssize_t n;

	l->rpos = l->rlen = 0;
	for (;;) {
		n = read(l->fd, l->rbuf, l->rcap);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0)
		return -1;
	if (n == 0)
		l->eof = 1;
	l->rlen = (size_t)n;
	return 0;
}

int
lines_next(struct lines *l, char **line, size_t *len)
{
	size_t total = 0;	/* bytes of this line seen, kept or not */

	buf_reset(&l->line);
	l->partial = 0;
	for (;;) {
		char *start = l->rbuf + l->rpos, *nl;
		size_t avail = l->rlen - l->rpos, take, keep;

		if (avail == 0) {
			if (l->eof)
				break;
			if (fill(l) < 0)
				return LINES_ERR;
			continue;
		}
		nl = memchr(start, '\n', avail);
		take = nl ? (size_t)(nl - start) : avail;
		keep = total < l->max + 1 ? l->max + 1 - total : 0;
		if (keep > take)
			keep = take;
		buf_append(&l->line, start, keep);
		total += take;
		l->rpos += take + (nl != NULL);
		if (nl)
			goto done;
	}
	if (total == 0)
		return LINES_EOF;	/* no bytes after the last newline */
	l->partial = 1;
done:
	l->lineno++;
	if (l->strip_cr && l->line.len > 0 && total <= l->max + 1 &&
	    l->line.data[l->line.len - 1] == '\r') {
		l->line.data[--l->line.len] = '\0';
		total--;
	}
	if (l->line.data == NULL)
		buf_grow(&l->line, 0), l->line.data[0] = '\0';
	if (total > l->max) {
		if (l->line.len > l->max)
			l->line.data[l->line.len = l->max] = '\0';
		*line = l->line.data;
		*len = l->line.len;
		return LINES_TOOLONG;
	}
	*line = l->line.data;
	*len = l->line.len;
	return LINES_OK;
}

int
lines_wait(const struct lines *l, int timeout_ms)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	int n;

	if (lines_buffered(l))
		return 1;
	n = poll(&pfd, 1, timeout_ms);
	/* a signal (EINTR) is no input; other errors: let read() report them */
	return n > 0 || (n < 0 && errno != EINTR);
}

size_t
lines_unread(struct lines *l)
{
	size_t n = l->rlen - l->rpos;

	if (n == 0 || lseek(l->fd, -(off_t)n, SEEK_CUR) >= 0)
		return 0;
	return n;
}
