/* ackreader.c: the sink's acknowledgement stream (see ackreader.h). */
#include "ackreader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
reopen(struct ackreader *ar)
{
	int fd = open(ar->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ar->fd >= 0)
		close(ar->fd);
	ar->fd = fd;
	return 0;
}

int
ackreader_open(struct ackreader *ar, const char *path, char *errstr,
    size_t errsize)
{
	struct stat st;

	memset(ar, 0, sizeof(*ar));
	ar->fd = -1;
	ar->path = strdup(path);
	if (ar->path == NULL) {
		snprintf(errstr, errsize, "out of memory");
		return -1;
	}
	if (reopen(ar) < 0 || fstat(ar->fd, &st) < 0) {
		snprintf(errstr, errsize, "open '%s': %s", path, strerror(errno));
		ackreader_close(ar);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errstr, errsize, "open '%s': %s", path, strerror(EISDIR));
		ackreader_close(ar);
		return -1;
	}
	ar->isfifo = S_ISFIFO(st.st_mode);
	return 0;
}

int
ackreader_fd(const struct ackreader *ar)
{
	return ar->ateof ? -1 : ar->fd;
}

/* Parse a finished line. */
static int
parse(struct ackreader *ar, uint64_t *count, char *bad, size_t badsize)
{
	char *end;
	unsigned long long v;
	size_t n = ar->len;

	ar->lineno++;
	if (n > 0 && ar->line[n - 1] == '\r')
		n--;
	ar->line[n] = '\0';
	if (!ar->toolong && n > 0 && ar->line[0] >= '0' && ar->line[0] <= '9') {
		errno = 0;
		v = strtoull(ar->line, &end, 10);
		if (errno == 0 && *end == '\0') {
			*count = v;
			ar->len = 0;
			return ACK_COUNT;
		}
	}
	snprintf(bad, badsize, "%s%s", ar->line, ar->toolong ? "..." : "");
	ar->len = 0;
	ar->toolong = 0;
	return ACK_BAD;
}

int
ackreader_next(struct ackreader *ar, uint64_t *count, char *bad,
    size_t badsize)
{
	ssize_t n;

	for (;;) {
		while (ar->rpos < ar->rlen) {
			char c = ar->rbuf[ar->rpos++];

			if (c == '\n')
				return parse(ar, count, bad, badsize);
			if (ar->len < sizeof(ar->line) - 1)
				ar->line[ar->len++] = c;
			else
				ar->toolong = 1;
		}
		if (ar->fd < 0)
			return ACK_NONE;
		n = read(ar->fd, ar->rbuf, sizeof(ar->rbuf));
		if (n > 0) {
			ar->rpos = 0;
			ar->rlen = (size_t)n;
			ar->ateof = 0;
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ACK_NONE;
			return ACK_ERR;
		}
		/* End of file. A partial last line stays pending. */
		if (!ar->isfifo) {
			ar->ateof = 1;
			return ACK_NONE;
		}
		/*
		 * The writer closed the FIFO. A reader opened now does not see
		 * that hangup, so poll() waits for the next writer instead of
		 * reporting POLLHUP forever.
		 */
		ar->hangups++;
		if (reopen(ar) < 0)
			return ACK_ERR;
		return ACK_NONE;
	}
}

void
ackreader_close(struct ackreader *ar)
{
	if (ar->fd >= 0)
		close(ar->fd);
	ar->fd = -1;
	free(ar->path);
	ar->path = NULL;
}
