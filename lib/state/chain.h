/*
 * chain.h: wm-state's place in a chain of acknowledgements (lib/ack.h). It
 * saves the fold's state to a file (written to a temporary name, fsynced,
 * renamed) together with the events not yet acknowledged downstream, is
 * the reader side of the acknowledgements of its output (events are
 * written only once a writer has introduced itself) and the writer side of
 * those of its input: the count of input lines whose state is saved and
 * whose events are all acknowledged. All of wm-state's use of the
 * protocol is here.
 */
#ifndef WEBMON_CHAIN_H
#define WEBMON_CHAIN_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "ack.h"
#include "buf.h"
#include "lines.h"
#include "state/fold.h"

struct chainq {			/* an input line that caused events */
	uint64_t lineno;
	uint64_t upto;		/* events emitted up to and with it */
	size_t end;		/* where its events end in pend */
};

struct chain {
	const char *path, *ack_in, *ack_out;	/* not owned; NULL: off */
	struct fold *f;			/* not owned */
	struct buf *out;		/* not owned: events still to write */
	struct lines *in;		/* not owned: the input */
	struct buf pend;		/* event lines not acknowledged yet */
	size_t pendoff;			/* acknowledged bytes at its start */
	struct chainq *q;
	size_t qhead, qlen, qcap;
	uint64_t lineno;		/* last input line folded */
	uint64_t emitted, written, acked;	/* event lines */
	uint64_t saved_line, ackedup;
	struct ackr ar;			/* downstream acks, if ack_out */
	struct ackw aw;			/* upstream acks, if ack_in */
	double save_ms, next_save;
};

/*
 * Load the state file, if there is one, into f and queue its unacknowledged
 * events at the start of out; set up the acknowledgements (ack_out: a
 * new FIFO is made there). Returns 0, or -1 with err set.
 */
int chain_open(struct chain *ch, const char *path, const char *ack_in,
    const char *ack_out, double save_s, struct fold *f, struct buf *out,
    struct lines *in, char *err, size_t errsize);
/* Input line lineno has been folded; its events are ev[0..n), nevents lines. */
void chain_input(struct chain *ch, uint64_t lineno, unsigned nevents,
    const char *ev, size_t n);
/*
 * Write out to stdout, once the downstream writer of acknowledgements has
 * introduced itself (until then out keeps growing). Returns 0, or -1 with
 * errno set (EPIPE: reader gone).
 */
int chain_flush(struct chain *ch);
/*
 * Busy reading: take downstream acks without waiting, save and ack upstream
 * when due. Returns 0, or -1 with err set.
 */
int chain_tick(struct chain *ch, char *err, size_t errsize);
/*
 * Input would block: wait until a whole line (or the end) is buffered in
 * the input while taking acks, writing out and saving when due; returns
 * early when *stop is set. Returns 0, -1 with err set, or -2 when the
 * reader of stdout went away.
 */
int chain_idle(struct chain *ch, volatile sig_atomic_t *stop, char *err,
    size_t errsize);
/*
 * End of input (or stop): unless gone (the reader of stdout went away) or
 * *stop, wait for the acks of every event written; then save, ack upstream
 * and close. Returns 0, or -1 with err set.
 */
int chain_close(struct chain *ch, int gone, volatile sig_atomic_t *stop,
    char *err, size_t errsize);
#endif
