/*
 * page.h: what the status page shows, filled from the database by
 * lib/pg/pagedb.c and written out as HTML, SVG, JSON and CSV by
 * lib/page/render.c and lib/page/svg.c (which need no database).
 */
#ifndef WEBMON_PAGE_PAGE_H
#define WEBMON_PAGE_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum pstate { PS_NODATA, PS_UP, PS_DEGRADED, PS_DOWN };

/* One day or one hour of one site, all its probes together. */
struct pbucket {
	long checks, ups, degraded;
	double p50, p95;	/* ms of the ok results; < 0 when none */
};

struct pincident {
	char *probe, *error, *detail;	/* owned; error and detail may be NULL */
	int64_t started, ended;		/* unix seconds; ended 0 while open */
	long checks, failures;		/* -1 when unknown */
};

struct perror {
	char *probe, *error, *detail;	/* owned; detail may be NULL */
	int64_t ts;
	int status;			/* 0 when no response */
};

/* One row of sla/<month>.csv: a url and probe in one UTC month. */
struct psla {
	char month[8];			/* "YYYY-MM" */
	size_t site;			/* index into page.sites */
	char *probe, *pct;		/* owned; pct as PostgreSQL printed it */
	long long checks, ups;
};

struct psite {
	char *url, *name, *group, *slug;	/* owned; name, group may be NULL */
	enum pstate state;
	int probes, probes_bad;		/* probes, and of them not up */
	int64_t since, last;		/* state since, last result; 0 unknown */
	int since_exact;		/* since from events, not rollups */
	char *error, *detail;		/* of a failing probe; owned, may be NULL */
	int64_t cert;			/* earliest certificate expiry; 0 none */
	double p50_24h, p95_24h;	/* ms; < 0 when none */
	struct pbucket *days, *hours;	/* page.ndays and page.nhours; owned */
	struct pincident *inc;		/* newest first; owned */
	size_t ninc;
	int open;			/* open incidents among inc */
	struct perror *err;		/* newest first; owned */
	size_t nerr;
};

struct page {
	const char *title, *group_tag;	/* not owned; group_tag may be NULL */
	int64_t now;			/* unix seconds the page is "as of" */
	int64_t day0, hour0;		/* start of the first day and hour */
	int ndays, nhours;
	int events;			/* incidents come from wm_events */
	struct psite *sites;		/* sorted by url; owned */
	size_t nsites;
	size_t *order;			/* display order of sites; owned */
	struct psla *sla;		/* sorted by month, url, probe; owned */
	size_t nsla;
};

/* Free everything the page owns (not title, group_tag); p is zeroed. */
void page_free(struct page *p);
/* Order the sites by group then name, and give each a unique slug. */
void page_finish(struct page *p);
/* The site of a url (sites sorted by url), or NULL. */
struct psite *page_find(const struct page *p, const char *url);

/* Text of a state: "Up", "Degraded", "Down", "No data". */
const char *page_state_text(enum pstate s);
/* Uptime of checks and ups as a percentage truncated to 2 decimals, in out. */
void page_pct(char *out, size_t size, long long checks, long long ups);
/* Totals of the last n days of a site (n <= ndays). */
void page_sum_days(const struct page *p, const struct psite *s, int n,
    long long *checks, long long *ups);

/* The files, appended to b. */
void page_index(struct buf *b, const struct page *p);
void page_site(struct buf *b, const struct page *p, const struct psite *s);
void page_status_json(struct buf *b, const struct page *p);
/* sla rows of one month (from index *i on, advancing it) as CSV. */
void page_sla_csv(struct buf *b, const struct page *p, size_t *i);
/* A badge: the site's state and 30-day uptime. */
void page_badge(struct buf *b, const struct page *p, const struct psite *s);
/* A latency chart (p50 and p95) of n buckets step seconds apart from t0. */
void page_chart(struct buf *b, const struct pbucket *v, int n, int64_t t0,
    int step, const char *label);

#endif
