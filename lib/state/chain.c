/* chain.c: wm-state's state file and its two acknowledgement streams. */
#include "state/chain.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeutil.h"
#include "util.h"

#define STATE_MAGIC "webmon-state 1\n"
#define EVENTS_MARK "E\n"
#define COMPACT_BYTES (1 << 20)

static int
fail(char *err, size_t errsize, const char *what, const char *path)
{
	snprintf(err, errsize, "%s '%s': %s", what, path, strerror(errno));
	return -1;
}

static int
read_file(const char *path, struct buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		buf_append(b, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

static unsigned
count_lines(const char *p, size_t n)
{
	unsigned k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

int
chain_open(struct chain *ch, const char *path, const char *ack_in,
    const char *ack_out, double save_s, struct fold *f, struct buf *out,
    struct lines *in, char *err, size_t errsize)
{
	struct buf b = BUF_INIT;
	const char *why, *mark;
	size_t head;

	memset(ch, 0, sizeof *ch);
	ch->path = path, ch->ack_in = ack_in, ch->ack_out = ack_out;
	ch->f = f;
	ch->out = out;
	ch->in = in;
	ch->ar.fd = -1;
	ch->aw.fd = -1;
	ch->save_ms = save_s * 1000;
	ch->next_save = mono_ms() + ch->save_ms;
	if (path && read_file(path, &b) == 0 && b.len > 0) {
		head = sizeof STATE_MAGIC - 1;
		if (b.len < head || memcmp(b.data, STATE_MAGIC, head) != 0 ||
		    (mark = strstr(b.data, "\n" EVENTS_MARK)) == NULL) {
			snprintf(err, errsize, "'%s': not a wm-state state file", path);
			buf_free(&b);
			return -1;
		}
		mark++;
		if (fold_load(f, b.data + head, (size_t)(mark - b.data) - head,
		    &why) < 0) {
			snprintf(err, errsize, "'%s': %s", path, why);
			buf_free(&b);
			return -1;
		}
		/* Events not acknowledged when it was saved go out again first. */
		mark += sizeof EVENTS_MARK - 1;
		head = b.len - (size_t)(mark - b.data);
		if (head > 0) {
			buf_append(out, mark, head);
			chain_input(ch, 0, count_lines(mark, head), mark, head);
		}
	} else if (path && errno != ENOENT) {
		buf_free(&b);
		return fail(err, errsize, "read", path);
	}
	buf_free(&b);
	if (ack_out && ackr_open(&ch->ar, ack_out, STDOUT_FILENO, err,
	    errsize) < 0)
		return -1;
	if (ack_in && ackw_init(&ch->aw, ack_in, STDIN_FILENO, err, errsize) < 0)
		return -1;
	return 0;
}

void
chain_input(struct chain *ch, uint64_t lineno, unsigned nevents,
    const char *ev, size_t n)
{
	struct chainq *e;

	if (lineno > ch->lineno)
		ch->lineno = lineno;
	if (nevents == 0)
		return;
	ch->emitted += nevents;
	if (ch->ack_out == NULL)
		return;
	buf_append(&ch->pend, ev, n);
	if (ch->qlen == ch->qcap) {	/* grow the ring, unrolled at 0 */
		struct chainq *nq;
		size_t i, ncap = ch->qcap ? ch->qcap * 2 : 256;

		nq = xreallocarray(NULL, ncap, sizeof *nq);
		for (i = 0; i < ch->qlen; i++)
			nq[i] = ch->q[(ch->qhead + i) % ch->qcap];
		free(ch->q);
		ch->q = nq, ch->qcap = ncap, ch->qhead = 0;
	}
	e = &ch->q[(ch->qhead + ch->qlen++) % ch->qcap];
	e->lineno = lineno;
	e->upto = ch->emitted;
	e->end = ch->pendoff + (ch->pend.len - ch->pendoff);
}

int
chain_flush(struct chain *ch)
{
	if (ch->out->len == 0 || (ch->ack_out && !ackr_ready(&ch->ar)))
		return 0;
	if (buf_write_fd(ch->out, STDOUT_FILENO) < 0)
		return -1;
	ch->written += count_lines(ch->out->data, ch->out->len);
	buf_reset(ch->out);
	if (ch->ack_out == NULL)
		ch->acked = ch->written;
	return 0;
}

/* Take the downstream acknowledgements that are there; drop acked events. */
static int
take_acks(struct chain *ch, char *err, size_t errsize)
{
	char msg[256];
	uint64_t n;
	int rc;

	if (ch->ack_out == NULL)
		return 0;
	while ((rc = ackr_next(&ch->ar, ch->written, &n, msg, sizeof msg)) !=
	    ACK_NONE) {
		if (rc == ACK_ERR || rc == ACK_BROKEN) {
			snprintf(err, errsize, "--ack-out: %s", msg);
			return -1;
		}
		if (rc == ACK_IGNORED) {
			warnmsg("--ack-out: %s", msg);
			continue;
		}
		if (n > ch->acked)
			ch->acked = n;
	}
	while (ch->qlen > 0 && ch->q[ch->qhead].upto <= ch->acked) {
		ch->pendoff = ch->q[ch->qhead].end;
		ch->qhead = (ch->qhead + 1) % ch->qcap;
		ch->qlen--;
	}
	if (ch->qlen == 0) {
		buf_reset(&ch->pend);
		ch->pendoff = 0;
	} else if (ch->pendoff > COMPACT_BYTES && ch->pendoff > ch->pend.len / 2) {
		size_t i, k = ch->pendoff;

		memmove(ch->pend.data, ch->pend.data + k, ch->pend.len - k);
		ch->pend.len -= k;
		ch->pend.data[ch->pend.len] = '\0';
		for (i = 0; i < ch->qlen; i++)
			ch->q[(ch->qhead + i) % ch->qcap].end -= k;
		ch->pendoff = 0;
	}
	return 0;
}

/* Write the state and the unacknowledged events to path atomically. */
static int
save(struct chain *ch, char *err, size_t errsize)
{
	struct buf b = BUF_INIT, tmp = BUF_INIT;
	char *dir;
	int fd;

	ch->next_save = mono_ms() + ch->save_ms;
	if (ch->path == NULL || (ch->lineno == ch->saved_line && ch->saved_line))
		return 0;
	/* Without downstream acks, events count as delivered once written. */
	if (ch->ack_out == NULL && chain_flush(ch) < 0)
		return 0;	/* the reader is gone: the caller sees it next */
	buf_puts(&b, STATE_MAGIC);
	fold_save(ch->f, &b);
	buf_puts(&b, EVENTS_MARK);
	buf_append(&b, ch->pend.data + ch->pendoff, ch->pend.len - ch->pendoff);
	buf_printf(&tmp, "%s.tmp", ch->path);
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0 || buf_write_fd(&b, fd) < 0 || fsync(fd) < 0) {
		fail(err, errsize, "write", tmp.data);
		goto bad;
	}
	close(fd);
	fd = -1;
	if (rename(tmp.data, ch->path) < 0) {
		fail(err, errsize, "rename", tmp.data);
		goto bad;
	}
	/* The rename is durable once the directory is. */
	dir = xstrdup(ch->path);
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
	ch->saved_line = ch->lineno;
	buf_free(&b), buf_free(&tmp);
	return 0;
bad:
	if (fd >= 0)
		close(fd);
	buf_free(&b), buf_free(&tmp);
	return -1;
}

/* Acknowledge upstream the input lines saved whose events are all acked. */
static int
ack_up(struct chain *ch, char *err, size_t errsize)
{
	uint64_t l = ch->saved_line, first;
	char msg[256];

	if (ch->ack_in == NULL)
		return 0;
	if (ch->qlen > 0 && (first = ch->q[ch->qhead].lineno) <= l)
		l = first > 0 ? first - 1 : 0;
	if (l <= ch->ackedup)
		return 0;
	if (ackw_ack(&ch->aw, l, msg, sizeof msg) == ACK_ERR) {
		snprintf(err, errsize, "--ack-in: %s", msg);
		return -1;
	}
	ch->ackedup = l;
	return 0;
}

/*
 * Keep the upstream acknowledgement FIFO connected; a new reader there (a
 * new run upstream) learns how many input lines came before it, which is
 * told only when idle: no input waiting, an unfinished line dropped.
 */
static int
ack_service(struct chain *ch, short revents, int idle, char *err,
    size_t errsize)
{
	char msg[256];
	size_t n;

	if (ch->ack_in == NULL)
		return 0;
	if (ackw_service(&ch->aw, revents, msg, sizeof msg) == ACK_ERR)
		goto bad;
	if (!ackw_needbase(&ch->aw) || !idle ||
	    (lines_buffered(ch->in) && !ch->in->eof))
		return 0;
	if ((n = lines_drop_partial(ch->in)) > 0)
		warnmsg("<stdin>:%lu: %zu bytes of an unfinished line dropped: "
		    "the writer of the input started anew", ch->in->lineno + 1, n);
	if (ackw_start(&ch->aw, ch->in->lineno, msg, sizeof msg) == ACK_ERR)
		goto bad;
	return 0;
bad:
	snprintf(err, errsize, "--ack-in: %s", msg);
	return -1;
}

int
chain_tick(struct chain *ch, char *err, size_t errsize)
{
	if (take_acks(ch, err, errsize) < 0)
		return -1;
	if (mono_ms() >= ch->next_save && save(ch, err, errsize) < 0)
		return -1;
	if (ack_up(ch, err, errsize) < 0)
		return -1;
	return ack_service(ch, 0, 0, err, errsize);
}

int
chain_idle(struct chain *ch, volatile sig_atomic_t *stop, char *err,
    size_t errsize)
{
	struct pollfd pfd[3];
	double wait;
	int n, r, w;

	while (!*stop) {
		if (chain_flush(ch) < 0)
			return errno == EPIPE ? -2 : fail(err, errsize, "write",
			    "<stdout>");
		if (chain_tick(ch, err, errsize) < 0)
			return -1;
		memset(pfd, 0, sizeof pfd);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = ch->ack_out ? ackr_fd(&ch->ar) : -1;
		pfd[1].events = POLLIN;
		w = ch->ack_in ? ackw_pollfd(&ch->aw, &pfd[2]) : -1;
		if (ch->ack_in == NULL)
			pfd[2].fd = -1;
		n = 3;
		wait = -1;
		if (ch->path && ch->lineno != ch->saved_line)
			wait = ch->next_save - mono_ms();
		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
		r = poll(pfd, (nfds_t)n, wait < 0 ? -1 : (int)wait + 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return fail(err, errsize, "poll", "<stdin>");
		}
		if (ack_service(ch, r > 0 ? pfd[2].revents : 0,
		    !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)), err,
		    errsize) < 0)
			return -1;
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* Never block inside an unfinished line. */
			if (lines_fill(ch->in) < 0)
				return fail(err, errsize, "read", "<stdin>");
			if (lines_buffered(ch->in))
				return 0;
		}
	}
	return 0;
}

int
chain_close(struct chain *ch, int gone, volatile sig_atomic_t *stop,
    char *err, size_t errsize)
{
	struct pollfd pfd[2];
	int rc = 0;

	while (!gone && !*stop && ch->ack_out && ch->acked < ch->emitted) {
		if (chain_flush(ch) < 0)
			break;
		if (take_acks(ch, err, errsize) < 0)
			return -1;
		if (ch->acked >= ch->emitted)
			break;
		/* POLLERR on stdout: the reader went away without acking. */
		pfd[0].fd = STDOUT_FILENO;
		pfd[0].events = 0;
		pfd[1].fd = ackr_fd(&ch->ar);
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 100) > 0 &&
		    (pfd[0].revents & (POLLERR | POLLHUP)))
			break;
	}
	if (take_acks(ch, err, errsize) < 0 || save(ch, err, errsize) < 0 ||
	    ack_up(ch, err, errsize) < 0)
		rc = -1;
	if (ch->ack_in) {
		ackw_drain(&ch->aw, 2000);
		ackw_close(&ch->aw);
	}
	if (ch->ack_out)
		ackr_close(&ch->ar);
	buf_free(&ch->pend);
	free(ch->q);
	return rc;
}
