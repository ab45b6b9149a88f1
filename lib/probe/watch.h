/*
 * watch.h: the main loop of wm-probe --watch. Probes every site of the
 * sites files at its own interval until SIGTERM or SIGINT, re-reads the
 * files on SIGHUP, and writes each result line as soon as it finishes.
 */
#ifndef WEBMON_WATCH_H
#define WEBMON_WATCH_H

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
 * Load the sites files and probe with p until SIGTERM/SIGINT (installs
 * handlers for SIGHUP, SIGINT and SIGTERM). On the first of those signals
 * no new probe starts and those in flight finish (up to their timeout);
 * a second signal gives them one more second, then abandons them.
 * A sites file that cannot be read at start is an error; on SIGHUP any
 * unreadable file or bad line keeps the running set unchanged. p stays
 * the caller's; it is idle when this returns.
 */
int watch_run(const struct watch_opts *o, struct prober *p, char *errstr,
    size_t errsize);

#endif
