/*
 * watch.h: the main loop of wm-probe --watch. Probes every site of the
 * sites files at its own interval until told to stop, re-reads the files
 * when told to reload, and writes each result line as soon as it finishes.
 * The program's signal handlers set the two flags; lib/ installs none.
 */
#ifndef WEBMON_WATCH_H
#define WEBMON_WATCH_H

#include <signal.h>
#include <stddef.h>

#include "probe.h"
#include "sites.h"

struct watch_opts {
	char *const *files;	/* sites files, "-" for stdin (read once); not owned */
	size_t nfiles;		/* at least 1 */
	const struct site_defaults *def;	/* defaults for keys a line leaves out */
	size_t concurrency;	/* most probes in flight, >= 1 */
	unsigned long shard_k, shard_n;	/* probe only shard K of N; N == 0: all */
	double stats_s;		/* seconds between stats lines (with verbose) */
	int verbose;		/* stats lines, reload summaries, a final total */
	int outfd;		/* where result lines go */
	/* Set by the program's signal handlers (SIGHUP; SIGTERM, SIGINT): */
	volatile sig_atomic_t *hup;	/* nonzero: re-read the files; cleared here */
	volatile sig_atomic_t *stop;	/* 1: drain and stop; 2: abandon after 1 s */
	/* One message line for stderr, without the program name or newline. */
	void (*note)(const char *msg, void *arg);
	void *note_arg;
};

/* Outcomes of watch_run(). */
enum {
	WATCH_OK = 0,		/* stopped by a signal or a closed output */
	WATCH_BADLINES = 3,	/* as WATCH_OK, but the first load had bad lines */
	WATCH_ERROR = -1	/* could not start or the engine failed; errstr says why */
};

/*
 * Load the sites files and probe with p until *o->stop is set. Then no new
 * probe starts and those in flight finish (up to their timeout); at
 * *o->stop >= 2 they get one more second, then are abandoned. The caller's
 * handlers should interrupt system calls (no SA_RESTART) so a signal ends
 * a wait at once. A sites file that cannot be read at start is an error;
 * on a reload any unreadable file or bad line keeps the running set
 * unchanged. p stays the caller's; it is idle when this returns.
 */
int watch_run(const struct watch_opts *o, struct prober *p, char *errstr,
    size_t errsize);

#endif
