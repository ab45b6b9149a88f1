/*
 * pgsink.h: the sink's connection to PostgreSQL and its retries. A sink
 * writes batches of COPY text rows into one table (pgcopy.h), described
 * from the catalog (pgtable.h). Failures are PGS_TEMP (connection lost,
 * server restarting, out of disk...: reconnect and retry with backoff) or
 * PGS_PERM (table missing, permission denied...: give up).
 */
#ifndef WEBMON_PGSINK_H
#define WEBMON_PGSINK_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "pgconn.h"
#include "pgexec.h"
#include "pgtable.h"
#include "progress.h"

/* Flags of pgsink_init(). */
#define PGSINK_SYNC_COMMIT 1	/* SET synchronous_commit = on in each session */

struct pgsink {
	PGconn *conn;
	struct pgconnopts opts;	/* strings not owned */
	int flags;
	unsigned long connects;	/* successful connections so far */
	struct pgtable tab;	/* owned */
	int staging;		/* staging table exists on this connection */
	int streaming;		/* 0 none, 1 COPY open, -1 COPY broke */
	int copy_open;		/* the connection is in COPY IN state */
	uint64_t stream_absent;
	unsigned long long pending, pending_dups;	/* in the open transaction */
	struct pgrowerr rowerr;	/* the last row error */
	/* Totals, for statistics. */
	unsigned long long stored, duplicates, rejected, batches;
};

/* Zero the sink; opts is copied, its strings must outlive the sink. */
void pgsink_init(struct pgsink *s, const struct pgconnopts *opts, int flags);
/* Close the connection and free everything. */
void pgsink_free(struct pgsink *s);

/*
 * (Re)connect and set up the session (synchronous_commit with
 * PGSINK_SYNC_COMMIT). Returns PGS_OK, or PGS_TEMP with a message in err.
 */
int pgsink_connect(struct pgsink *s, char *err, size_t errsize);

/* 1 if the connection can take the next attempt without a reconnect. */
int pgsink_usable(const struct pgsink *s);

/* Describe the target table: pgtable_describe() on the sink's connection. */
int pgsink_describe(struct pgsink *s, const char *table, const char *only,
    const char *key, char *err, size_t errsize);

/*
 * Backoff for retrying temporary failures, and the outage they make: from
 * the first failure to the next success.
 */
struct pgretry {
	long min_ms, max_ms;	/* first and longest wait */
	long delay_ms;		/* the next wait */
	double since_ms;	/* monotonic time the outage began; 0: none */
	unsigned long tries;	/* failures in this outage */
	unsigned long long total;	/* failures ever */
	unsigned long connects;	/* the sink's connects when the outage began */
};

/* Set up backoff from min_ms doubling up to max_ms. */
void pgretry_init(struct pgretry *r, long min_ms, long max_ms);
/*
 * Note a failure at monotonic time now_ms. Returns the milliseconds to
 * wait before the next try; r->tries is 1 on the first of an outage.
 */
long pgretry_fail(struct pgretry *r, double now_ms);
/* Note a success; returns the outage's length in ms, or -1 if none. */
double pgretry_ok(struct pgretry *r, double now_ms);
/* Sleep ms milliseconds; a signal cuts it short. */
void pgretry_sleep(long ms);
/*
 * Wait out a temporary failure of s (why): back off with r and reconnect
 * until s is usable. An outage says one line when it begins and, when
 * verbose, one per retry (after clearing prog). Returns 0, or -1 when
 * *stop was set during a wait.
 */
int pgsink_wait_out(struct pgsink *s, struct pgretry *r, const char *why,
    int verbose, struct progress *prog, const volatile sig_atomic_t *stop);

#endif
