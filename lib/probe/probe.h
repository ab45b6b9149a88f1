/*
 * probe.h: the probing engine. One libcurl multi handle drives every probe
 * in one thread; each finished probe becomes one NDJSON result line in the
 * format of webmon(7). Every probe uses a fresh connection (no reuse, no
 * TLS session resumption, no DNS cache) so that its timings and its
 * certificate are its own.
 */
#ifndef WEBMON_PROBE_H
#define WEBMON_PROBE_H

#include <stddef.h>

#include "sites.h"

struct probe_opts {
	long concurrency;	/* expected probes in flight (sizes caches); the caller enforces it */
	const char *cacert;	/* CA bundle file instead of the system one, or NULL */
	int insecure;		/* 1: do not verify TLS certificates */
	long ipresolve;		/* CURL_IPRESOLVE_WHATEVER, _V4 or _V6 */
	size_t max_body;	/* largest body accepted, decoded bytes */
	int allow_private_redirects;	/* 1: a public site may redirect to a private address */
	const char *probe_name;	/* "probe" key of every result; not owned */
};

/*
 * Called once per finished probe with its complete result line (ending in
 * '\n', valid only during the call) and whether the probe was ok. The probe
 * finished just before the call; the site may be freed after it returns.
 */
typedef void probe_done_fn(void *udata, const char *line, size_t len, int ok,
    void *arg);
/* Called for each probe dropped by prober_abort_all(); no result is written. */
typedef void probe_aborted_fn(void *udata, void *arg);

struct prober;

/* Make an engine; free it with prober_free(). NULL with errstr on failure. */
struct prober *prober_new(const struct probe_opts *opts, char *errstr,
    size_t errsize);
/*
 * Start probing site now; its result comes through prober_run(). The site
 * must stay alive until then. udata is handed back to done(). The request
 * start time ("ts") is taken here. Returns 0, or -1 with errstr set.
 */
int prober_start(struct prober *p, const struct site *site, void *udata,
    char *errstr, size_t errsize);
/* Number of probes started and not yet reported or aborted. */
size_t prober_inflight(const struct prober *p);
/*
 * Wait up to timeout_ms for network activity (less when libcurl has a timer
 * due), drive the transfers and call done() for each probe that finished.
 * Returns early on prober_wakeup() or when a signal interrupts the wait.
 * With nothing in flight it just waits. Returns the number of probes
 * reported, or -1 with errstr set on an engine failure.
 */
int prober_run(struct prober *p, int timeout_ms, probe_done_fn *done,
    void *arg, char *errstr, size_t errsize);
/*
 * Make a prober_run() that is waiting return now. Callable from another
 * thread (curl_multi_wakeup), but NOT from a signal handler: handlers set a
 * flag; a signal also ends the wait of the thread it interrupts.
 */
void prober_wakeup(struct prober *p);
/*
 * Abandon every probe in flight: no result line is written for them;
 * aborted() (may be NULL) is called with each one's udata.
 */
void prober_abort_all(struct prober *p, probe_aborted_fn *aborted, void *arg);
/* Abort what is in flight (silently) and release everything. */
void prober_free(struct prober *p);

#endif
