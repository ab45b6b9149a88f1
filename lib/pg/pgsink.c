/* pgsink.c: the sink's connection, session set-up and retry backoff. */
#include "pgsink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"
#include "util.h"

void
pgsink_init(struct pgsink *s, const struct pgconnopts *opts, int flags)
{
	memset(s, 0, sizeof(*s));
	s->opts = *opts;
	s->flags = flags;
	s->rowerr.line = -1;
}

void
pgsink_free(struct pgsink *s)
{
	if (s->conn)
		PQfinish(s->conn);
	pgtable_free(&s->tab);
	memset(s, 0, sizeof(*s));
}

int
pgsink_connect(struct pgsink *s, char *err, size_t errsize)
{
	char e[512];

	if (s->conn)
		PQfinish(s->conn);
	s->staging = s->streaming = s->copy_open = 0;
	if ((s->conn = pgconn_open(&s->opts, "wm-pg-copy", err, errsize)) == NULL)
		return PGS_TEMP;
	/*
	 * Acknowledged rows must survive an immediate shutdown: a server (or
	 * role) running with synchronous_commit off would confirm a COMMIT
	 * before its WAL is written.
	 */
	if ((s->flags & PGSINK_SYNC_COMMIT) &&
	    pgexec_run(s->conn, "SET synchronous_commit = on", NULL, e,
	    sizeof(e)) != PGS_OK) {
		snprintf(err, errsize, "set synchronous_commit: %s", e);
		return PGS_TEMP;
	}
	s->connects++;
	return PGS_OK;
}

int
pgsink_usable(const struct pgsink *s)
{
	return s->conn && PQstatus(s->conn) == CONNECTION_OK &&
	    PQtransactionStatus(s->conn) != PQTRANS_UNKNOWN;
}

int
pgsink_describe(struct pgsink *s, const char *table, const char *only,
    const char *key, char *err, size_t errsize)
{
	pgtable_free(&s->tab);
	return pgtable_describe(&s->tab, s->conn, table, only, key, err, errsize);
}

void
pgretry_init(struct pgretry *r, long min_ms, long max_ms)
{
	memset(r, 0, sizeof(*r));
	r->min_ms = r->delay_ms = min_ms;
	r->max_ms = max_ms;
}

long
pgretry_fail(struct pgretry *r, double now_ms)
{
	long d;

	if (r->tries++ == 0) {
		r->since_ms = now_ms;
		r->delay_ms = r->min_ms;
	}
	r->total++;
	d = r->delay_ms;
	r->delay_ms = d * 2 > r->max_ms ? r->max_ms : d * 2;
	return d;
}

double
pgretry_ok(struct pgretry *r, double now_ms)
{
	double d = r->tries ? now_ms - r->since_ms : -1;

	r->tries = 0;
	r->since_ms = 0;
	r->delay_ms = r->min_ms;
	return d;
}

void
pgretry_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
pgsink_wait_out(struct pgsink *s, struct pgretry *r, const char *why,
    int verbose, struct progress *prog, const volatile sig_atomic_t *stop)
{
	const char *table = s->tab.name;
	char err[512];
	long delay;

	for (;;) {
		delay = pgretry_fail(r, mono_ms());
		progress_clear(prog);
		if (r->tries == 1) {
			r->connects = s->connects;
			warnmsg("%s: %s; retrying in %ld ms", table, why, delay);
		} else if (verbose) {
			warnmsg("%s: retry %lu failed: %s; next in %ld ms", table,
			    r->tries - 1, why, delay);
		}
		pgretry_sleep(delay);	/* a signal cuts it short */
		if (*stop)
			return -1;
		if (pgsink_usable(s) || pgsink_connect(s, err, sizeof(err)) ==
		    PGS_OK)
			return 0;
		why = err;
	}
}
