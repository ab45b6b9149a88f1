/* ack.c: the acknowledgement protocol, both sides (see ack.h). */
#include "ack.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timeutil.h"

#define RETRY_MS	100	/* writer: open again after ENXIO/ENOENT */
#define CHECK_MS	200	/* writer: is path still the FIFO we hold? */

static void
fmt_id(char *out, const struct stat *st)
{
	snprintf(out, ACK_IDMAX, "%ju:%ju", (uintmax_t)st->st_dev,
	    (uintmax_t)st->st_ino);
}

static int
fd_id(int fd, char *out, const char *what, char *msg, size_t msgsize)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(msg, msgsize, "fstat %s: %s", what, strerror(errno));
		return -1;
	}
	fmt_id(out, &st);
	return 0;
}

/* Writer side. */

int
ackw_init(struct ackw *w, const char *path, int datafd, char *msg,
    size_t msgsize)
{
	struct stat st;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (fd_id(datafd, w->stream, "input", msg, msgsize) < 0)
		return -1;
	snprintf(w->run, sizeof(w->run), "%ld.%" PRId64, (long)getpid(),
	    now_us());
	if (stat(path, &st) < 0) {
		if (errno != ENOENT) {
			snprintf(msg, msgsize, "'%s': %s", path, strerror(errno));
			return -1;
		}
	} else if (!S_ISFIFO(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(msg, msgsize, "'%s': not a FIFO or a regular file", path);
		return -1;
	}
	if ((w->path = strdup(path)) == NULL) {
		snprintf(msg, msgsize, "out of memory");
		return -1;
	}
	return 0;
}

/* Open path if a reader is there; ACK_NEEDBASE when it was. */
static int
try_open(struct ackw *w, char *msg, size_t msgsize)
{
	struct stat st;
	int fd;

	w->next_try = mono_ms() + RETRY_MS;
	fd = open(w->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENXIO || errno == ENOENT || errno == EINTR)
			return ACK_NONE;	/* no reader (yet) */
		snprintf(msg, msgsize, "open '%s': %s", w->path, strerror(errno));
		return ACK_ERR;
	}
	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) ||
	    S_ISREG(st.st_mode))) {
		close(fd);
		snprintf(msg, msgsize, "'%s': not a FIFO or a regular file",
		    w->path);
		return ACK_ERR;
	}
	w->isfifo = S_ISFIFO(st.st_mode);
	if (!w->isfifo && fcntl(fd, F_SETFL, O_APPEND) < 0) {
		close(fd);
		snprintf(msg, msgsize, "'%s': %s", w->path, strerror(errno));
		return ACK_ERR;
	}
	fmt_id(w->chan, &st);
	w->fd = fd;
	w->started = 0;
	w->opens++;
	w->next_try = mono_ms() + CHECK_MS;
	return ACK_NEEDBASE;
}

static void
drop(struct ackw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->started = 0;
	w->next_try = 0;
}

/* Write the current count if it changed and there is room. */
static int
write_line(struct ackw *w, char *msg, size_t msgsize)
{
	char line[ACK_LINEMAX];
	ssize_t n;
	int len;

	if (!w->dirty || w->fd < 0 || !w->started)
		return ACK_NONE;
	len = snprintf(line, sizeof(line), "wmack1 %s %s %s %" PRIu64 " %"
	    PRIu64 "\n", w->stream, w->chan, w->run, w->base, w->count);
	do
		n = write(w->fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n == len) {
		w->dirty = 0;
		return ACK_NONE;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return ACK_NONE;	/* FIFO full: the next one will do */
	if (n < 0 && errno == EPIPE && w->isfifo) {
		drop(w);		/* the reader went away */
		return ACK_NONE;
	}
	snprintf(msg, msgsize, "write '%s': %s", w->path,
	    n < 0 ? strerror(errno) : "short write");
	return ACK_ERR;
}

int
ackw_pollfd(const struct ackw *w, struct pollfd *pfd)
{
	double wait;

	pfd->fd = -1;
	pfd->events = 0;
	pfd->revents = 0;
	if (w->fd >= 0 && !w->isfifo)
		return -1;
	if (w->fd >= 0) {
		pfd->fd = w->fd;	/* POLLERR when the reader goes */
		if (w->started && w->dirty)
			pfd->events = POLLOUT;
	}
	wait = w->next_try - mono_ms();
	return wait <= 0 ? 0 : (int)wait + 1;
}

int
ackw_service(struct ackw *w, short revents, char *msg, size_t msgsize)
{
	struct stat st;
	char id[ACK_IDMAX];

	if (w->fd >= 0 && w->isfifo) {
		if (revents & (POLLERR | POLLHUP | POLLNVAL))
			drop(w);
		else if (mono_ms() >= w->next_try) {
			/* A new reader renames its own FIFO over path. */
			w->next_try = mono_ms() + CHECK_MS;
			if (stat(w->path, &st) < 0)
				drop(w);
			else {
				fmt_id(id, &st);
				if (strcmp(id, w->chan) != 0)
					drop(w);
			}
		}
	}
	if (w->fd < 0) {
		if (mono_ms() < w->next_try)
			return ACK_NONE;
		return try_open(w, msg, msgsize);
	}
	if (!w->started)
		return ACK_NEEDBASE;
	return write_line(w, msg, msgsize);
}

int
ackw_needbase(const struct ackw *w)
{
	return w->fd >= 0 && !w->started;
}

int
ackw_start(struct ackw *w, uint64_t base, char *msg, size_t msgsize)
{
	if (w->fd < 0 || w->started)
		return ACK_NONE;
	w->base = base;
	if (w->count < base)
		w->count = base;	/* lines before base are not ours to ack */
	w->started = 1;
	w->dirty = 1;
	return write_line(w, msg, msgsize);
}

int
ackw_ack(struct ackw *w, uint64_t count, char *msg, size_t msgsize)
{
	if (count > w->count) {
		w->count = count;
		w->dirty = 1;
	}
	return write_line(w, msg, msgsize);
}

int
ackw_drain(struct ackw *w, int ms)
{
	double deadline = mono_ms() + ms;
	char msg[256];

	while (w->dirty && w->fd >= 0 && w->started) {
		struct pollfd pfd;
		double left = deadline - mono_ms();

		if (left <= 0)
			break;
		pfd.fd = w->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)left + 1) < 0 && errno != EINTR)
			break;
		if (pfd.revents & (POLLERR | POLLHUP))
			break;
		if (write_line(w, msg, sizeof(msg)) == ACK_ERR)
			break;
	}
	return !w->dirty || w->fd < 0 || !w->started;
}

void
ackw_close(struct ackw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->path);
	w->path = NULL;
}

/* Reader side. */

int
ackr_open(struct ackr *r, const char *path, int datafd, char *msg,
    size_t msgsize)
{
	struct stat st;
	mode_t mode = 0666;
	char *tmp;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (fd_id(datafd, r->stream, "output", msg, msgsize) < 0)
		return -1;
	if (lstat(path, &st) == 0) {
		if (!S_ISFIFO(st.st_mode)) {
			snprintf(msg, msgsize, "'%s': not a FIFO (a file would "
			    "mix the acknowledgements of different runs)", path);
			return -1;
		}
		mode = st.st_mode & 0777;
	} else if (errno != ENOENT) {
		snprintf(msg, msgsize, "'%s': %s", path, strerror(errno));
		return -1;
	}
	n = strlen(path) + 32;
	if ((tmp = malloc(n)) == NULL || (r->path = strdup(path)) == NULL) {
		free(tmp);
		snprintf(msg, msgsize, "out of memory");
		return -1;
	}
	/*
	 * A FIFO of this run's own: a writer of an earlier run holds the old
	 * one, whose reader is gone. Opened read-write, it never reports a
	 * hang-up when a writer leaves.
	 */
	snprintf(tmp, n, "%s.new.%ld", path, (long)getpid());
	unlink(tmp);
	if (mkfifo(tmp, mode) < 0 ||
	    (r->fd = open(tmp, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    rename(tmp, path) < 0) {
		snprintf(msg, msgsize, "make FIFO '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		ackr_close(r);
		return -1;
	}
	free(tmp);
	return fd_id(r->fd, r->chan, path, msg, msgsize);
}

int
ackr_fd(const struct ackr *r)
{
	return r->fd;
}

int
ackr_ready(const struct ackr *r)
{
	return r->run[0] != '\0';
}

/* Interpret one complete line. */
static int
parse(struct ackr *r, uint64_t written, uint64_t *count, char *msg,
    size_t msgsize)
{
	char stream[ACK_IDMAX], chan[ACK_IDMAX], run[ACK_IDMAX];
	uint64_t base, n, v;
	int end = -1;

	r->lineno++;
	if (r->len > 0 && r->line[r->len - 1] == '\r')
		r->len--;
	r->line[r->len] = '\0';
	r->len = 0;
	if (r->toolong || sscanf(r->line, "wmack1 %47s %47s %47s %" SCNu64
	    " %" SCNu64 "%n", stream, chan, run, &base, &n, &end) != 5 ||
	    r->line[end] != '\0' || n < base) {
		snprintf(msg, msgsize, "%s:%lu: not an acknowledgement, "
		    "ignored: '%.64s%s'", r->path, r->lineno, r->line,
		    r->toolong ? "..." : "");
		r->toolong = 0;
		return ACK_IGNORED;
	}
	if (strcmp(stream, r->stream) != 0 || strcmp(chan, r->chan) != 0) {
		snprintf(msg, msgsize, "%s:%lu: acknowledgement of another "
		    "stream (%s, not %s), ignored", r->path, r->lineno, stream,
		    r->stream);
		return ACK_IGNORED;
	}
	if (strcmp(run, r->run) != 0 || base != r->base) {
		/*
		 * A writer starts (or starts anew): its lines after base are
		 * ours, but only if no line of ours is in doubt.
		 */
		if (r->acked != written) {
			snprintf(msg, msgsize, "%s:%lu: the reader of the "
			    "output started anew (run %s) while %" PRIu64
			    " lines were not acknowledged; they cannot be "
			    "accounted for", r->path, r->lineno, run,
			    written - r->acked);
			return ACK_BROKEN;
		}
		snprintf(r->run, sizeof(r->run), "%s", run);
		r->base = base;
		r->off = r->acked;
		r->runs++;
	}
	v = r->off + (n - base);
	if (v > written) {
		snprintf(msg, msgsize, "%s:%lu: acknowledges %" PRIu64
		    " lines but only %" PRIu64 " were written", r->path,
		    r->lineno, v, written);
		return ACK_BROKEN;
	}
	if (v > r->acked)
		r->acked = v;
	*count = r->acked;
	return ACK_COUNT;
}

int
ackr_next(struct ackr *r, uint64_t written, uint64_t *count, char *msg,
    size_t msgsize)
{
	ssize_t n;

	for (;;) {
		while (r->rpos < r->rlen) {
			char c = r->rbuf[r->rpos++];

			if (c == '\n')
				return parse(r, written, count, msg, msgsize);
			if (r->len < sizeof(r->line) - 1)
				r->line[r->len++] = c;
			else
				r->toolong = 1;
		}
		if (r->fd < 0)
			return ACK_NONE;
		n = read(r->fd, r->rbuf, sizeof(r->rbuf));
		if (n > 0) {
			r->rpos = 0;
			r->rlen = (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			return ACK_NONE;
		snprintf(msg, msgsize, "read '%s': %s", r->path, strerror(errno));
		return ACK_ERR;
	}
}

void
ackr_close(struct ackr *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}
