/*
 * chain.h: wm-state's place in a chain of acknowledgements. It saves the
 * fold's state to a file (written to a temporary name, fsynced, renamed)
 * together with the events not yet acknowledged downstream, reads the
 * downstream acknowledgements (cumulative counts of event lines made
 * durable) and writes the upstream ones: the count of input lines whose
 * state is saved and whose events are all acknowledged. The
 * acknowledgement format lives only here, so a new protocol replaces this
 * file and nothing else.
 */
#ifndef WEBMON_CHAIN_H
#define WEBMON_CHAIN_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "ackreader.h"
#include "buf.h"
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
	size_t outseen;			/* bytes of out already seen */
	struct buf pend;		/* event lines not acknowledged yet */
	size_t pendoff;			/* acknowledged bytes at its start */
	struct chainq *q;
	size_t qhead, qlen, qcap;
	uint64_t lineno;		/* last input line folded */
	uint64_t emitted, acked;	/* event lines */
	uint64_t saved_line, ackedup;
	int upfd;
	struct ackreader ar;
	double save_ms, next_save;
};

/*
 * Load the state file, if there is one, into f and queue its unacknowledged
 * events at the start of out; open the acknowledgement paths (a FIFO for
 * ack_in waits here for its reader). Returns 0, or -1 with err set.
 */
int chain_open(struct chain *ch, const char *path, const char *ack_in,
    const char *ack_out, double save_s, struct fold *f, struct buf *out,
    char *err, size_t errsize);
/* Input line lineno has been folded; its events are ev[0..n), nevents lines. */
void chain_input(struct chain *ch, uint64_t lineno, unsigned nevents,
    const char *ev, size_t n);
/* Write out to stdout. Returns 0, or -1 with errno set (EPIPE: reader gone). */
int chain_flush(struct chain *ch);
/*
 * Busy reading: take downstream acks without waiting, save and ack upstream
 * when due. Returns 0, or -1 with err set.
 */
int chain_tick(struct chain *ch, char *err, size_t errsize);
/*
 * Input would block and out is written: wait until stdin is readable while
 * taking acks and saving when due; returns early when *stop is set.
 * Returns 0, or -1 with err set.
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
