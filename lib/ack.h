/*
 * ack.h: the acknowledgement protocol between a stage that writes lines
 * (the reader side here: wm-kafka-sub, or wm-state for its output) and the
 * stage that reads them and makes them durable (the writer side:
 * wm-pg-copy, or wm-state for its input).
 *
 * The data goes through one pipe (or FIFO); the acknowledgements come back
 * through a FIFO at PATH. Each run of the reader side makes a new FIFO and
 * renames it over PATH, so acks of an earlier run can never reach it: a
 * writer still holding the old FIFO finds it without a reader, reopens PATH
 * and introduces itself anew. Every ack is one line, shorter than PIPE_BUF
 * (written atomically):
 *
 *	wmack1 STREAM CHAN RUN BASE COUNT
 *
 * STREAM is "dev:ino" of the data pipe as the writer sees it (fstat of its
 * input), CHAN the same of the ack FIFO it opened, RUN the writer's run
 * token (pid.start-time), BASE the number of input lines the writer had
 * read when it opened CHAN, COUNT the cumulative number of input lines it
 * has made durable. Before it writes its first line to CHAN, the writer
 * reads all input available and drops an unfinished last line (the
 * remains of a killed writer of the pipe): lines after BASE are the
 * reader's. The reader writes no data before the first ack of a (RUN,
 * BASE) pair; from it, its own acknowledged count is OFF + COUNT - BASE,
 * where OFF is what it had acknowledged before. A new (RUN, BASE) is
 * accepted only when every line written so far was acknowledged (else
 * lines consumed by a dead writer could never be accounted for); an ack of
 * another STREAM or CHAN is ignored with a warning; a count above the
 * lines written breaks the stream. A broken stream commits nothing more.
 */
#ifndef WEBMON_ACK_H
#define WEBMON_ACK_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define ACK_LINEMAX 160
#define ACK_IDMAX 48

enum {
	ACK_ERR = -1,		/* system error; message in msg */
	ACK_NONE = 0,		/* nothing (more) now */
	ACK_COUNT = 1,		/* reader: *count is the new acknowledged count */
	ACK_IGNORED = 2,	/* reader: a line was ignored; why in msg */
	ACK_BROKEN = 3,		/* reader: acks can no longer be trusted; why in msg */
	ACK_NEEDBASE = 4	/* writer: a reader is there, call ackw_start() */
};

/* Writer side: the stage that makes lines durable. */
struct ackw {
	char *path;		/* owned */
	int fd;			/* -1 while not connected */
	int isfifo;
	int started;		/* ackw_start() called for this fd */
	int dirty;		/* count changed since the last line written */
	char stream[ACK_IDMAX], chan[ACK_IDMAX], run[ACK_IDMAX];
	uint64_t base, count;
	double next_try;	/* monotonic ms of the next open or path check */
	unsigned long opens;	/* readers met so far */
};

/*
 * Prepare to acknowledge the lines read from datafd on path. path must be
 * a FIFO (made by the reader side; waited for) or an existing regular
 * file (appended to). Never blocks. Returns 0, or -1 with msg set.
 */
int ackw_init(struct ackw *w, const char *path, int datafd, char *msg,
    size_t msgsize);
/*
 * Fill pfd for poll() (fd -1 when there is nothing to poll) and return the
 * longest wait in ms before ackw_service() wants to run again (-1: none).
 */
int ackw_pollfd(const struct ackw *w, struct pollfd *pfd);
/*
 * After poll(), with the revents of pfd (0 if not polled): notice a reader
 * gone or replaced, (re)open path, write a pending ack. Returns ACK_NONE,
 * ACK_NEEDBASE or ACK_ERR with msg set.
 */
int ackw_service(struct ackw *w, short revents, char *msg, size_t msgsize);
/* 1 while a reader waits for ackw_start(). */
int ackw_needbase(const struct ackw *w);
/*
 * Introduce this run to the reader: base input lines were read before,
 * and no unfinished line is buffered. Returns like ackw_service().
 */
int ackw_start(struct ackw *w, uint64_t base, char *msg, size_t msgsize);
/*
 * count input lines are durable. Written at once if the FIFO has room,
 * else later (only the last count is kept). Returns like ackw_service().
 */
int ackw_ack(struct ackw *w, uint64_t count, char *msg, size_t msgsize);
/* Try for at most ms to write the pending ack; 1 if none is left pending. */
int ackw_drain(struct ackw *w, int ms);
/* Close and free. */
void ackw_close(struct ackw *w);

/* Reader side: the stage that wrote the lines and waits for their acks. */
struct ackr {
	char *path;		/* owned */
	int fd;
	char stream[ACK_IDMAX], chan[ACK_IDMAX];
	char run[ACK_IDMAX];	/* current writer run, "" before the first */
	uint64_t base;		/* of the current run */
	uint64_t off;		/* own lines acknowledged when it began */
	uint64_t acked;		/* own lines acknowledged */
	unsigned long lineno, runs;
	char line[ACK_LINEMAX];
	size_t len;
	int toolong;
	char rbuf[4096];
	size_t rpos, rlen;
};

/*
 * Make a new FIFO at path (replacing a FIFO there; anything else is an
 * error) and open it for the acks of the lines written to datafd. Returns
 * 0, or -1 with msg set.
 */
int ackr_open(struct ackr *r, const char *path, int datafd, char *msg,
    size_t msgsize);
/* The descriptor to poll for POLLIN. */
int ackr_fd(const struct ackr *r);
/* 1 once a writer has introduced itself: data may be written from now. */
int ackr_ready(const struct ackr *r);
/*
 * The next ack without blocking, given the lines written so far: ACK_COUNT
 * with the acknowledged count in *count, ACK_IGNORED or ACK_BROKEN with the
 * reason in msg, ACK_NONE, or ACK_ERR.
 */
int ackr_next(struct ackr *r, uint64_t written, uint64_t *count, char *msg,
    size_t msgsize);
/* Close and free; the FIFO stays for the next run to replace. */
void ackr_close(struct ackr *r);

#endif
