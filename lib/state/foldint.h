/* foldint.h: the records inside a struct fold, shared by fold.c and foldsave.c only. */
#ifndef WEBMON_FOLDINT_H
#define WEBMON_FOLDINT_H
#include "state/fold.h"
#include "state/rscan.h"

struct site {
	struct site *next;
	char *url;			/* raw JSON text, as are the strings below */
	size_t urln;
	int state;			/* ST_UP or ST_DOWN */
	unsigned nprobes, ndown;
	char since[FOLD_TSMAX];		/* empty: since before the first result */
	uint64_t checks, failures;
};

struct target {
	struct target *next;
	struct site *site;
	char *url, *probe, *name, *tags, *lerr, *ldet;
	size_t urln, proben, namen, tagsn, lerrn, ldetn;
	int state;
	char since[FOLD_TSMAX];		/* start of the current state */
	uint64_t checks, failures;	/* during the current state */
	int run_ok;			/* the current run of equal ok */
	uint64_t run_len;
	char run_start[FOLD_TSMAX];
	uint64_t deg_run, clean_run;	/* ok results with, without degraded */
	char deg_start[FOLD_TSMAX], clean_start[FOLD_TSMAX];
	int64_t last_us;		/* the last result folded */
	int64_t loaded_us;		/* last_us when loaded from a saved state */
	char last_id[FOLD_TSMAX], last_ts[FOLD_TSMAX];
	int stale, cert_level;		/* cert_level: deepest threshold fired, -1 none */
	size_t heapi;			/* position in the stale heap */
};

/* The target of (url, probe) and the site of url, made when new; never NULL. */
struct target *fold_target(struct fold *f, const struct span *url,
    const struct span *probe);
/* The site of url, made when new; never NULL. */
struct site *fold_site(struct fold *f, const struct span *url);
/* Put t in the stale heap, or move it to its place after its last_us changed. */
void fold_heap_update(struct fold *f, struct target *t);
/* Take the target with the least recent result out of the non-empty heap. */
struct target *fold_heap_pop(struct fold *f);
/* A copy of a raw JSON value with whitespace bytes made spaces; caller frees. */
char *fold_rawdup(const char *p, size_t n);
#endif
