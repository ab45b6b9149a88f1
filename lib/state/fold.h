/*
 * fold.h: wm-state's state machine. Results are folded, in the order read,
 * into a state per (url, probe) and per url (quorum); each change of state
 * appends one event line (DESIGN.md "Events") to an output buffer. Time is
 * the results' ts only, so the same input always gives the same events with
 * the same ids.
 */
#ifndef WEBMON_FOLD_H
#define WEBMON_FOLD_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define FOLD_MAXCERT 8
#define FOLD_TSMAX 40		/* longest ts text kept, with its NUL */

enum { ST_UP, ST_DOWN, ST_DEGRADED };

struct fold_conf {
	int fail, success, degrade;	/* thresholds, each at least 1 */
	int quorum;			/* 0: no site-level events */
	int64_t stale_us;		/* 0: no stale/fresh events */
	int cert_days[FOLD_MAXCERT];	/* descending */
	int ncert;
};

struct target;
struct site;

struct fold {
	struct fold_conf c;
	struct target **tab;		/* hash of (url, probe) */
	size_t ntab, ntargets;
	struct site **stab;		/* hash of url */
	size_t nstab, nsites;
	struct target **heap;		/* least recent result first (--stale) */
	size_t nheap, capheap;
	int64_t watermark;		/* newest ts seen */
	uint64_t results, late, dups, events;
	struct buf *out;		/* not owned: events are appended here */
	struct buf name;		/* scratch */
};

/* Set up an empty state with configuration c; events go to out. */
void fold_init(struct fold *f, const struct fold_conf *c, struct buf *out);
/* Free every target and site. */
void fold_free(struct fold *f);
/*
 * Fold one result line. Returns the number of events appended (0 or more),
 * -1 when the line is not a usable result (why says what is wrong), or -2
 * when the result is not newer, by (ts, id), than the last one of its
 * target: a replay (the same result, or one not newer than the state that
 * fold_load() gave; counted in dups) or one that arrived late (counted in
 * late); it changes nothing.
 */
int fold_line(struct fold *f, const char *line, size_t n, const char **why);
/*
 * Write the whole state to b (text, one record per line) and read it back.
 * fold_load() expects an empty fold made by fold_init() with the same
 * configuration; returns 0, or -1 with why set.
 */
void fold_save(const struct fold *f, struct buf *b);
int fold_load(struct fold *f, const char *s, size_t n, const char **why);
#endif
