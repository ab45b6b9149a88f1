/* pagedb.c: read the status page's data from PostgreSQL. */
#include "pg/pagedb.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page/page.h"
#include "pg/pgconn.h"
#include "util.h"

#define HOURS 48		/* hourly chart of a site's page */
#define SINCE_HOURS (7 * 24)	/* hourly rollups read to date a state */
#define MAX_INCIDENTS 50	/* per site */
#define MAX_ERRORS 10		/* per site */

/* One (url, probe): its own state before the sites are summed up. */
struct target {
	size_t site;
	char *probe;			/* owned */
	enum pstate state;
	int64_t last, since;
	int exact;			/* since from wm_events */
	int64_t fail_h, ok_h, fail_d, ok_d;	/* rollup bucket starts */
	int64_t first_h, first_d;		/* first bucket with data */
};

struct load {
	PGconn *c, *c2;		/* c2: a second connection, or NULL */
	struct page *p;
	struct target *t;
	size_t nt;
	char *err;
	size_t errsize;
	const char *quantiles;	/* SQL for p50 and p95 of a column hist */
	int64_t hour_from;	/* first hourly bucket read to date a state */
};

/* "what: the server's message" into l->err, on one line. */
static void
result_error(struct load *l, const char *what, const PGresult *r, PGconn *c)
{
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%s: ", what);
	pgconn_msg(l->err, l->errsize, prefix, msg ? msg :
	    r ? PQresultErrorMessage(r) : PQerrorMessage(c));
}

static PGresult *
query(struct load *l, const char *what, const char *sql, int n,
    const char *const *params)
{
	PGresult *r = PQexecParams(l->c, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	result_error(l, what, r, l->c);
	PQclear(r);
	return NULL;
}

static char *
sdup(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL :
	    xstrdup(PQgetvalue(r, row, col));
}

static int64_t
i64(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 :
	    strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static double
dbl(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? -1 :
	    strtod(PQgetvalue(r, row, col), NULL);
}

static const struct page *cur_page;	/* bsearch has no context argument */

static int
cmptarget(const void *key, const void *elem)
{
	const char *const *k = key;
	const struct target *t = elem;
	int c = strcmp(k[0], cur_page->sites[t->site].url);

	return c ? c : strcmp(k[1], t->probe);
}

static struct target *
find_target(struct load *l, const char *url, const char *probe)
{
	const char *key[2] = { url, probe };

	cur_page = l->p;
	return bsearch(key, l->t, l->nt, sizeof(*l->t), cmptarget);
}

static struct psite *
find_site(struct load *l, const PGresult *r, int row)
{
	return page_find(l->p, PQgetvalue(r, row, 0));
}

/* n buckets without results: no checks, no latency. */
static struct pbucket *
empty_buckets(int n)
{
	struct pbucket *b = xcalloc((size_t)n, sizeof(*b));
	int i;

	for (i = 0; i < n; i++)
		b[i].p50 = b[i].p95 = -1;
	return b;
}

/*
 * wm_latest, one row per (url, probe) in byte order of url then probe: the
 * sites and their targets. A probe's own state: its last result failed
 * (down), was degraded, or was ok (up).
 */
static int
load_latest(struct load *l, const char *tag)
{
	const char *params[1] = { tag ? tag : "" };
	struct page *p = l->p;
	PGresult *r;
	int i, n;

	r = query(l, "wm_latest",
	    "SELECT l.url, l.probe, l.name,"
	    " CASE WHEN $1 = '' THEN NULL ELSE l.tags->>$1 END,"
	    " floor(extract(epoch FROM l.ts))::bigint, l.ok,"
	    " to_jsonb(l)->>'degraded', l.error, l.detail,"
	    " floor(extract(epoch FROM l.cert_expiry))::bigint "
	    "FROM wm_latest l ORDER BY l.url COLLATE \"C\", l.probe COLLATE \"C\"",
	    1, params);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	p->sites = xcalloc(n ? (size_t)n : 1, sizeof(*p->sites));
	l->t = xcalloc(n ? (size_t)n : 1, sizeof(*l->t));
	for (i = 0; i < n; i++) {
		const char *url = PQgetvalue(r, i, 0);
		struct target *t = &l->t[l->nt++];
		struct psite *s;
		int ok = PQgetvalue(r, i, 5)[0] == 't';

		if (p->nsites == 0 || strcmp(p->sites[p->nsites - 1].url, url)) {
			s = &p->sites[p->nsites++];
			s->url = xstrdup(url);
			s->days = empty_buckets(p->ndays);
			s->hours = empty_buckets(p->nhours);
			s->p50_24h = s->p95_24h = -1;
		}
		s = &p->sites[p->nsites - 1];
		t->site = p->nsites - 1;
		t->probe = xstrdup(PQgetvalue(r, i, 1));
		t->last = i64(r, i, 4);
		t->state = !ok ? PS_DOWN : PQgetisnull(r, i, 6) ? PS_UP :
		    PS_DEGRADED;
		if (s->name == NULL)
			s->name = sdup(r, i, 2);
		if (s->group == NULL)
			s->group = sdup(r, i, 3);
		if (t->last > s->last)
			s->last = t->last;
		if (!PQgetisnull(r, i, 9) && (s->cert == 0 || i64(r, i, 9) < s->cert))
			s->cert = i64(r, i, 9);
		if (!ok && s->error == NULL) {
			s->error = sdup(r, i, 7);
			s->detail = sdup(r, i, 8);
		}
	}
	PQclear(r);
	return 0;
}

/* The last state change of each target, where wm_events has one. */
static int
load_event_states(struct load *l)
{
	PGresult *r;
	int i;

	r = query(l, "wm_events",
	    "SELECT DISTINCT ON (e.url, e.probe) e.url, e.probe, e.state,"
	    " floor(extract(epoch FROM e.started))::bigint "
	    "FROM wm_events e WHERE e.probe IS NOT NULL"
	    " AND e.kind IN ('down', 'up', 'degraded') "
	    "ORDER BY e.url, e.probe, e.ts DESC, e.id DESC", 0, NULL);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct target *t = find_target(l, PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 1));
		const char *st = PQgetvalue(r, i, 2);

		if (t == NULL)
			continue;
		t->state = strcmp(st, "down") == 0 ? PS_DOWN :
		    strcmp(st, "degraded") == 0 ? PS_DEGRADED : PS_UP;
		t->since = i64(r, i, 3);
		t->exact = 1;
	}
	PQclear(r);
	return 0;
}

/*
 * Without events, a state's start is dated from the rollups to the hour
 * (the last 7 days) or the day: the end of the last bucket with a failure
 * (while up) or with a success (while down), else the first bucket.
 */
static int
load_rollup_since(struct load *l, int daily)
{
	char from[32];
	const char *params[1] = { from };
	PGresult *r;
	int i;

	l->hour_from = l->p->now / 3600 * 3600 - (SINCE_HOURS - 1) * 3600;
	snprintf(from, sizeof(from), "%" PRId64, daily ? l->p->day0 :
	    l->hour_from);
	r = query(l, daily ? "wm_rollup_daily" : "wm_rollup_hourly", daily ?
	    "SELECT url, probe,"
	    " floor(extract(epoch FROM max(bucket) FILTER (WHERE ups < checks)))::bigint,"
	    " floor(extract(epoch FROM max(bucket) FILTER (WHERE ups > 0)))::bigint,"
	    " floor(extract(epoch FROM min(bucket)))::bigint "
	    "FROM wm_rollup_daily WHERE bucket >= to_timestamp($1::bigint) "
	    "GROUP BY url, probe" :
	    "SELECT url, probe,"
	    " floor(extract(epoch FROM max(bucket) FILTER (WHERE ups < checks)))::bigint,"
	    " floor(extract(epoch FROM max(bucket) FILTER (WHERE ups > 0)))::bigint,"
	    " floor(extract(epoch FROM min(bucket)))::bigint "
	    "FROM wm_rollup_hourly WHERE bucket >= to_timestamp($1::bigint) "
	    "GROUP BY url, probe", 1, params);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct target *t = find_target(l, PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 1));

		if (t == NULL)
			continue;
		if (daily) {
			t->fail_d = i64(r, i, 2);
			t->ok_d = i64(r, i, 3);
			t->first_d = i64(r, i, 4);
		} else {
			t->fail_h = i64(r, i, 2);
			t->ok_h = i64(r, i, 3);
			t->first_h = i64(r, i, 4);
		}
	}
	PQclear(r);
	return 0;
}

static void
date_targets(struct load *l)
{
	size_t i;

	for (i = 0; i < l->nt; i++) {
		struct target *t = &l->t[i];
		int64_t h = t->state == PS_DOWN ? t->ok_h : t->fail_h;
		int64_t d = t->state == PS_DOWN ? t->ok_d : t->fail_d;

		if (t->exact)
			continue;
		t->since = h ? h + 3600 : d ? d + 86400 : 0;
		/*
		 * No change in the data read: the state holds since the first
		 * result, dated by the day when there were results before the
		 * hourly window, else by the hour.
		 */
		if (t->since == 0)
			t->since = t->first_d && t->first_d < l->hour_from ?
			    t->first_d : t->first_h ? t->first_h : t->first_d;
		/* The change happened inside the bucket of the last result. */
		if (t->since > t->last)
			t->since = h ? h : d ? d : t->last;
	}
}

/* Sum the targets up into their sites: the worst state wins. */
static void
sum_targets(struct load *l)
{
	size_t i;

	for (i = 0; i < l->nt; i++) {
		struct target *t = &l->t[i];
		struct psite *s = &l->p->sites[t->site];

		s->probes++;
		if (t->state != PS_UP)
			s->probes_bad++;
		if (t->state > s->state) {
			s->state = t->state;
			s->since = t->since;
			s->since_exact = t->exact;
		} else if (t->state == s->state && t->since &&
		    (s->since == 0 || t->since < s->since)) {
			s->since = t->since;
			s->since_exact = t->exact;
		}
	}
}

/*
 * Daily or hourly buckets of every site, all probes summed. A bucket of a
 * site with one probe (the common case) takes its histogram as it is:
 * merging histograms costs more than the quantiles of the merged one.
 */
static void
buckets_sql(struct load *l, int daily, char *sql, size_t size, char *from,
    size_t fromsize)
{
	snprintf(from, fromsize, "%" PRId64, daily ? l->p->day0 : l->p->hour0);
	snprintf(sql, size,
	    "WITH r AS (SELECT url, bucket, checks, ups, degraded, hist,"
	    "  count(*) OVER (PARTITION BY url, bucket) AS n FROM %s"
	    "  WHERE bucket >= to_timestamp($1::bigint)),"
	    " m AS (SELECT url, bucket, checks, ups, degraded, hist"
	    "  FROM r WHERE n = 1 UNION ALL"
	    "  SELECT url, bucket, sum(checks), sum(ups), sum(degraded),"
	    "  wm_hist_sum(hist) FROM r WHERE n > 1 GROUP BY url, bucket) "
	    "SELECT url, b, checks, ups, degraded, q[1], q[2] FROM ("
	    " SELECT url, floor(extract(epoch FROM bucket))::bigint AS b, checks,"
	    " ups, degraded, %s AS q FROM m OFFSET 0) z",
	    daily ? "wm_rollup_daily" : "wm_rollup_hourly", l->quantiles);
}

static void
take_buckets(struct load *l, int daily, PGresult *r)
{
	struct page *p = l->p;
	int i;

	for (i = 0; i < PQntuples(r); i++) {
		struct psite *s = find_site(l, r, i);
		int64_t k = (i64(r, i, 1) - (daily ? p->day0 : p->hour0)) /
		    (daily ? 86400 : 3600);
		struct pbucket *bk;

		if (s == NULL || k < 0 || k >= (daily ? p->ndays : p->nhours))
			continue;
		bk = daily ? &s->days[k] : &s->hours[k];
		bk->checks = (long)i64(r, i, 2);
		bk->ups = (long)i64(r, i, 3);
		bk->degraded = (long)i64(r, i, 4);
		bk->p50 = dbl(r, i, 5);
		bk->p95 = dbl(r, i, 6);
	}
	PQclear(r);
}

static int
load_buckets(struct load *l, int daily)
{
	char sql[1024], from[32];
	const char *params[1] = { from };
	PGresult *r;

	buckets_sql(l, daily, sql, sizeof(sql), from, sizeof(from));
	r = query(l, daily ? "wm_rollup_daily" : "wm_rollup_hourly", sql, 1,
	    params);
	if (r == NULL)
		return -1;
	take_buckets(l, daily, r);
	return 0;
}

/*
 * The daily buckets, the largest read, on the second connection while the
 * first one reads the rest: two server processes work at once.
 */
static int
send_daily(struct load *l)
{
	char sql[1024], from[32];
	const char *params[1] = { from };

	buckets_sql(l, 1, sql, sizeof(sql), from, sizeof(from));
	if (PQsendQueryParams(l->c2, sql, 1, NULL, params, NULL, NULL, 0))
		return 0;
	result_error(l, "wm_rollup_daily", NULL, l->c2);
	return -1;
}

static int
take_daily(struct load *l)
{
	PGresult *r, *first = NULL;

	while ((r = PQgetResult(l->c2)) != NULL) {
		if (first == NULL)
			first = r;
		else
			PQclear(r);
	}
	if (PQresultStatus(first) != PGRES_TUPLES_OK) {
		result_error(l, "wm_rollup_daily", first, l->c2);
		PQclear(first);
		return -1;
	}
	take_buckets(l, 1, first);
	return 0;
}

/* p50 and p95 of each site over the last 24 hours. */
static int
load_latency(struct load *l)
{
	char from[32];
	const char *params[1] = { from };
	PGresult *r;
	int i;

	snprintf(from, sizeof(from), "%" PRId64, l->p->now / 3600 * 3600 - 23 * 3600);
	r = query(l, "wm_rollup_hourly",
	    "SELECT url, wm_hist_quantile(hist, 0.5), wm_hist_quantile(hist, 0.95)"
	    " FROM (SELECT url, wm_hist_sum(hist) AS hist FROM wm_rollup_hourly"
	    " WHERE bucket >= to_timestamp($1::bigint) GROUP BY url) x",
	    1, params);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct psite *s = find_site(l, r, i);

		if (s == NULL)
			continue;
		s->p50_24h = dbl(r, i, 1);
		s->p95_24h = dbl(r, i, 2);
	}
	PQclear(r);
	return 0;
}

/*
 * Incidents, newest first per site: from wm_events, each down event paired
 * with the target's next state change (whose checks and failures count
 * the down state), over the page's days; else from wm_incidents over the
 * last 7 days of raw results.
 */
static int
load_incidents(struct load *l)
{
	struct page *p = l->p;
	char from[32];
	const char *params[1] = { from };
	PGresult *r;
	int i;

	snprintf(from, sizeof(from), "%" PRId64, p->day0);
	r = p->events ? query(l, "wm_events",
	    "SELECT url, probe, floor(extract(epoch FROM started))::bigint,"
	    " floor(extract(epoch FROM next_started))::bigint, error, detail,"
	    " next_checks, next_failures "
	    "FROM (SELECT e.url, e.probe, e.kind, e.started, e.error, e.detail,"
	    "  lead(e.started) OVER w AS next_started,"
	    "  lead(e.checks) OVER w AS next_checks,"
	    "  lead(e.failures) OVER w AS next_failures"
	    "  FROM wm_events e WHERE e.probe IS NOT NULL"
	    "  AND e.kind IN ('down', 'up', 'degraded')"
	    "  AND e.ts >= to_timestamp($1::bigint)"
	    "  WINDOW w AS (PARTITION BY e.url, e.probe ORDER BY e.ts, e.id)) x "
	    "WHERE kind = 'down' ORDER BY url, started DESC", 1, params) :
	    query(l, "wm_incidents",
	    "SELECT url, probe, floor(extract(epoch FROM started))::bigint,"
	    " floor(extract(epoch FROM ended))::bigint, last_error, last_detail,"
	    " checks, failures "
	    "FROM wm_incidents(3, 2, now() - interval '7 days') "
	    "ORDER BY url, started DESC", 0, NULL);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct psite *s = find_site(l, r, i);
		struct pincident *in;

		if (s == NULL || s->ninc >= MAX_INCIDENTS)
			continue;
		if (s->inc == NULL)
			s->inc = xcalloc(MAX_INCIDENTS, sizeof(*s->inc));
		in = &s->inc[s->ninc++];
		in->probe = sdup(r, i, 1);
		in->started = i64(r, i, 2);
		in->ended = i64(r, i, 3);
		in->error = sdup(r, i, 4);
		in->detail = sdup(r, i, 5);
		in->checks = PQgetisnull(r, i, 6) ? -1 : (long)i64(r, i, 6);
		in->failures = PQgetisnull(r, i, 7) ? -1 : (long)i64(r, i, 7);
		if (in->ended == 0)
			s->open++;
	}
	PQclear(r);
	return 0;
}

/*
 * The last failed results of each site: a few index probes per target on
 * (url, probe, ts), never a scan.
 */
static int
load_errors(struct load *l)
{
	char from[32], max[16];
	const char *params[2] = { from, max };
	PGresult *r;
	int i;

	snprintf(from, sizeof(from), "%" PRId64, l->p->day0);
	snprintf(max, sizeof(max), "%d", MAX_ERRORS);
	r = query(l, "wm_results",
	    "SELECT url, probe, floor(extract(epoch FROM ts))::bigint, status,"
	    " error, detail FROM ("
	    " SELECT t.url, t.probe, f.ts, f.status, f.error, f.detail,"
	    "  row_number() OVER (PARTITION BY t.url ORDER BY f.ts DESC) AS n"
	    " FROM wm_latest t CROSS JOIN LATERAL ("
	    "  SELECT x.ts, x.status, x.error, x.detail FROM wm_results x"
	    "  WHERE x.url = t.url AND x.probe = t.probe AND NOT x.ok"
	    "  AND x.ts >= to_timestamp($1::bigint)"
	    "  ORDER BY x.ts DESC LIMIT $2::int) f) y "
	    "WHERE n <= $2::int ORDER BY url, ts DESC", 2, params);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		struct psite *s = find_site(l, r, i);
		struct perror *e;

		if (s == NULL || s->nerr >= MAX_ERRORS)
			continue;
		if (s->err == NULL)
			s->err = xcalloc(MAX_ERRORS, sizeof(*s->err));
		e = &s->err[s->nerr++];
		e->probe = sdup(r, i, 1);
		e->ts = i64(r, i, 2);
		e->status = (int)i64(r, i, 3);
		e->error = sdup(r, i, 4);
		e->detail = sdup(r, i, 5);
	}
	PQclear(r);
	return 0;
}

/*
 * Uptime per url, probe and UTC month from the daily rollups, from the
 * month of the page's first day: the same counts and the same truncated
 * percentage as wm_uptime('month', ...).
 */
static int
load_sla(struct load *l)
{
	struct page *p = l->p;
	char from[32];
	const char *params[1] = { from };
	PGresult *r;
	int i, n;

	snprintf(from, sizeof(from), "%" PRId64, p->day0);
	r = query(l, "wm_rollup_daily",
	    "SELECT url, to_char(date_trunc('month', bucket, 'UTC')"
	    " AT TIME ZONE 'UTC', 'YYYY-MM') AS m, probe, sum(checks), sum(ups),"
	    " trunc(100.0 * sum(ups) / sum(checks), 3) "
	    "FROM wm_rollup_daily WHERE bucket >= date_trunc('month',"
	    " to_timestamp($1::bigint), 'UTC') "
	    "GROUP BY url, m, probe HAVING sum(checks) > 0 "
	    "ORDER BY m, url COLLATE \"C\", probe COLLATE \"C\"", 1, params);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	p->sla = xcalloc(n ? (size_t)n : 1, sizeof(*p->sla));
	for (i = 0; i < n; i++) {
		struct psite *s = find_site(l, r, i);
		struct psla *row;

		if (s == NULL)
			continue;
		row = &p->sla[p->nsla++];
		row->site = (size_t)(s - p->sites);
		snprintf(row->month, sizeof(row->month), "%s",
		    PQgetvalue(r, i, 1));
		row->probe = sdup(r, i, 2);
		row->checks = i64(r, i, 3);
		row->ups = i64(r, i, 4);
		row->pct = sdup(r, i, 5);
	}
	PQclear(r);
	return 0;
}

int
pagedb_load(PGconn *c, PGconn *c2, struct page *p, char *err, size_t errsize)
{
	struct load l = { c, c2, p, NULL, 0, err, errsize, NULL, 0 };
	PGresult *r;
	size_t i;
	int rc = -1;

	r = query(&l, "now", "SELECT floor(extract(epoch FROM now()))::bigint,"
	    " to_regclass('wm_events') IS NOT NULL, to_regprocedure("
	    "'wm_hist_quantiles(int[], double precision[])') IS NOT NULL",
	    0, NULL);
	if (r == NULL)
		return -1;
	p->now = i64(r, 0, 0);
	p->events = PQgetvalue(r, 0, 1)[0] == 't';
	/* Both quantiles in one pass over the histogram where that exists. */
	l.quantiles = PQgetvalue(r, 0, 2)[0] == 't' ?
	    "wm_hist_quantiles(hist, '{0.5,0.95}')" :
	    "ARRAY[wm_hist_quantile(hist, 0.5), wm_hist_quantile(hist, 0.95)]";
	PQclear(r);
	/* wm_events only once wm-state writes into it: an empty one is unused. */
	if (p->events) {
		if ((r = query(&l, "wm_events", "SELECT EXISTS "
		    "(SELECT 1 FROM wm_events)", 0, NULL)) == NULL)
			return -1;
		p->events = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
	}
	p->nhours = HOURS;
	p->day0 = p->now / 86400 * 86400 - (int64_t)(p->ndays - 1) * 86400;
	p->hour0 = p->now / 3600 * 3600 - (HOURS - 1) * 3600;
	if (c2 && send_daily(&l) < 0)
		return -1;
	if (load_latest(&l, p->group_tag) < 0 ||
	    (p->events && load_event_states(&l) < 0) ||
	    load_rollup_since(&l, 1) < 0 || load_rollup_since(&l, 0) < 0)
		goto out;
	date_targets(&l);
	sum_targets(&l);
	if (load_buckets(&l, 0) < 0 || load_latency(&l) < 0 ||
	    load_incidents(&l) < 0 || load_errors(&l) < 0 || load_sla(&l) < 0 ||
	    (c2 ? take_daily(&l) : load_buckets(&l, 1)) < 0)
		goto out;
	page_finish(p);
	rc = 0;
out:
	for (i = 0; i < l.nt; i++)
		free(l.t[i].probe);
	free(l.t);
	return rc;
}
