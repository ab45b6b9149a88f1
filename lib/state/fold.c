/* fold.c: results into state changes, the same way wm_incidents() does in SQL. */
#include "state/fold.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "state/foldint.h"
#include "state/rscan.h"
#include "state/uuid5.h"
#include "util.h"

/* Namespace of event ids (UUIDv5): da94f77f-cfe0-4182-858c-7af09a49f50a. */
static const char *const state_names[] = { "up", "down", "degraded" };

static const unsigned char event_ns[16] = {
	218, 148, 247, 127, 207, 224, 65, 130, 133, 140, 122, 240, 154, 73,
	245, 10
};

/* What an event says, besides its target. */
struct ev {
	const char *kind;
	const struct rscan *r;		/* the triggering result */
	const char *trig_ts;
	int state, previous;
	const char *started, *previous_since;
	uint64_t checks, failures;
	const char *err, *det;		/* raw JSON, or NULL for null */
	size_t errn, detn;
	int probes_down, probes;	/* -1: null */
};

static uint64_t
hash_bytes(const char *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* A copy of a raw JSON value with its whitespace bytes made spaces, so that a
 * saved state can separate fields by tabs and records by newlines. */
char *
fold_rawdup(const char *p, size_t n)
{
	char *s = xstrndup(p, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			s[i] = ' ';
	return s;
}

/* Replace *dst (length *dn) by a copy of the span unless equal; null spans become "null". */
static void
setraw(char **dst, size_t *dn, const struct span *sp)
{
	const char *p = sp->p ? sp->p : "null";
	size_t n = sp->p ? sp->n : 4;

	if (*dst && *dn == n && memcmp(*dst, p, n) == 0)
		return;
	free(*dst);
	*dst = fold_rawdup(p, n);
	*dn = n;
}

/* Copy the contents of a string span (a time or an id) into a fixed field. */
static int
strfield(char dst[FOLD_TSMAX], const struct span *sp)
{
	if (!span_isstr(sp) || sp->n - 2 >= FOLD_TSMAX)
		return -1;
	memcpy(dst, sp->p + 1, sp->n - 2);
	dst[sp->n - 2] = '\0';
	return 0;
}

/* ---- tables ---- */

static void
grow_tables(struct fold *f)
{
	struct target **nt, *t, *nx;
	size_t i, n = f->ntab * 2;

	nt = xcalloc(n, sizeof *nt);
	for (i = 0; i < f->ntab; i++)
		for (t = f->tab[i]; t; t = nx) {
			uint64_t h = hash_bytes(t->probe, t->proben,
			    hash_bytes(t->url, t->urln, 0xcbf29ce484222325ULL));

			nx = t->next;
			t->next = nt[h & (n - 1)];
			nt[h & (n - 1)] = t;
		}
	free(f->tab);
	f->tab = nt;
	f->ntab = n;
}

struct site *
fold_site(struct fold *f, const struct span *url)
{
	uint64_t h = hash_bytes(url->p, url->n, 0xcbf29ce484222325ULL);
	struct site *s, **b = &f->stab[h & (f->nstab - 1)];

	for (s = *b; s; s = s->next)
		if (s->urln == url->n && memcmp(s->url, url->p, url->n) == 0)
			return s;
	s = xcalloc(1, sizeof *s);
	s->url = fold_rawdup(url->p, url->n);
	s->urln = url->n;
	s->next = *b;
	*b = s;
	f->nsites++;
	if (f->nsites > f->nstab) {	/* rehash */
		struct site **ns = xcalloc(f->nstab * 2, sizeof *ns), *x, *nx;
		size_t i;

		for (i = 0; i < f->nstab; i++)
			for (x = f->stab[i]; x; x = nx) {
				uint64_t hh = hash_bytes(x->url, x->urln,
				    0xcbf29ce484222325ULL) & (f->nstab * 2 - 1);

				nx = x->next;
				x->next = ns[hh];
				ns[hh] = x;
			}
		free(f->stab);
		f->stab = ns;
		f->nstab *= 2;
	}
	return s;
}

struct target *
fold_target(struct fold *f, const struct span *url, const struct span *probe)
{
	uint64_t h = hash_bytes(probe->p, probe->n,
	    hash_bytes(url->p, url->n, 0xcbf29ce484222325ULL));
	struct target *t;

	for (t = f->tab[h & (f->ntab - 1)]; t; t = t->next)
		if (t->urln == url->n && t->proben == probe->n &&
		    memcmp(t->url, url->p, url->n) == 0 &&
		    memcmp(t->probe, probe->p, probe->n) == 0)
			return t;
	t = xcalloc(1, sizeof *t);
	t->url = fold_rawdup(url->p, url->n);
	t->urln = url->n;
	t->probe = fold_rawdup(probe->p, probe->n);
	t->proben = probe->n;
	t->site = fold_site(f, url);
	t->site->nprobes++;
	t->state = ST_UP;
	t->run_ok = -1;
	t->last_us = t->loaded_us = INT64_MIN;
	t->cert_level = -1;
	t->heapi = (size_t)-1;
	t->next = f->tab[h & (f->ntab - 1)];
	f->tab[h & (f->ntab - 1)] = t;
	if (++f->ntargets > f->ntab)
		grow_tables(f);
	return t;
}

void
fold_init(struct fold *f, const struct fold_conf *c, struct buf *out)
{
	memset(f, 0, sizeof *f);
	f->c = *c;
	f->out = out;
	f->ntab = f->nstab = 1024;
	f->tab = xcalloc(f->ntab, sizeof *f->tab);
	f->stab = xcalloc(f->nstab, sizeof *f->stab);
	f->watermark = INT64_MIN;
}

void
fold_free(struct fold *f)
{
	struct target *t, *tn;
	struct site *s, *sn;
	size_t i;

	for (i = 0; i < f->ntab; i++)
		for (t = f->tab[i]; t; t = tn) {
			tn = t->next;
			free(t->url), free(t->probe), free(t->name);
			free(t->tags), free(t->lerr), free(t->ldet);
			free(t);
		}
	for (i = 0; i < f->nstab; i++)
		for (s = f->stab[i]; s; s = sn) {
			sn = s->next;
			free(s->url);
			free(s);
		}
	free(f->tab), free(f->stab), free(f->heap);
	buf_free(&f->name);
	memset(f, 0, sizeof *f);
}

/* ---- events ---- */

static void
key_ts(struct jsonw *w, const char *key, const char *ts)
{
	jsonw_key(w, key);
	if (ts == NULL || ts[0] == '\0')
		jsonw_null(w);
	else
		jsonw_str(w, ts);
}

static void
key_raw(struct jsonw *w, const char *key, const char *p, size_t n)
{
	jsonw_key(w, key);
	if (p == NULL)
		jsonw_null(w);
	else
		jsonw_raw(w, p, n);
}

/* Append one event line about t (its site when site is set). */
static void
emit(struct fold *f, const struct target *t, int site, const struct ev *e)
{
	const struct span *id = &e->r->v[RK_ID];
	char uuid[UUID_STRLEN];
	struct jsonw w;

	buf_reset(&f->name);
	buf_append(&f->name, id->p + 1, id->n - 2);
	buf_putc(&f->name, '\n');
	buf_puts(&f->name, e->kind);
	buf_putc(&f->name, '\n');
	buf_append(&f->name, t->url, t->urln);
	buf_putc(&f->name, '\n');
	if (!site)
		buf_append(&f->name, t->probe, t->proben);
	uuid5_make(uuid, event_ns, f->name.data, f->name.len);

	jsonw_init(&w, f->out);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "id");
	jsonw_str(&w, uuid);
	key_ts(&w, "ts", e->trig_ts);
	jsonw_key(&w, "kind");
	jsonw_str(&w, e->kind);
	key_raw(&w, "url", t->url, t->urln);
	key_raw(&w, "name", t->name, t->namen);
	key_raw(&w, "probe", site ? NULL : t->probe, t->proben);
	key_raw(&w, "tags", t->tags, t->tagsn);
	jsonw_key(&w, "state");
	jsonw_str(&w, state_names[e->state]);
	jsonw_key(&w, "previous");
	jsonw_str(&w, state_names[e->previous]);
	key_ts(&w, "started", e->started);
	key_ts(&w, "previous_since", e->previous_since);
	jsonw_key(&w, "checks");
	jsonw_int(&w, (int64_t)e->checks);
	jsonw_key(&w, "failures");
	jsonw_int(&w, (int64_t)e->failures);
	key_raw(&w, "error", e->err, e->errn);
	key_raw(&w, "detail", e->det, e->detn);
	jsonw_key(&w, "probes_down");
	if (e->probes_down < 0)
		jsonw_null(&w);
	else
		jsonw_int(&w, e->probes_down);
	jsonw_key(&w, "probes");
	if (e->probes < 0)
		jsonw_null(&w);
	else
		jsonw_int(&w, e->probes);
	jsonw_obj_end(&w);
	buf_putc(f->out, '\n');
	f->events++;
}

static void
ev_init(struct ev *e, const char *kind, const struct rscan *r,
    const char *trig_ts)
{
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->r = r;
	e->trig_ts = trig_ts;
	e->probes_down = e->probes = -1;
}

/* A state change of t triggered by result r; the last len results (fails of
 * them failed) are the run that caused it and belong to the new state. */
static void
turn(struct fold *f, struct target *t, const struct rscan *r,
    const char *trig_ts, int to, const char *started, uint64_t len,
    uint64_t fails)
{
	struct ev e;

	ev_init(&e, to == ST_DOWN ? "down" : to == ST_UP ? "up" : "degraded",
	    r, trig_ts);
	e.state = to;
	e.previous = t->state;
	e.started = started;
	e.previous_since = t->since;
	e.checks = t->checks - len;
	e.failures = t->failures - fails;
	if (to == ST_DOWN) {
		e.err = t->lerr, e.errn = t->lerrn;
		e.det = t->ldet, e.detn = t->ldetn;
	} else if (to == ST_DEGRADED) {
		e.err = r->v[RK_DEGRADED].p, e.errn = r->v[RK_DEGRADED].n;
		if (!span_null(&r->v[RK_DETAIL]))
			e.det = r->v[RK_DETAIL].p, e.detn = r->v[RK_DETAIL].n;
	} else if (t->state == ST_DOWN) {
		e.err = t->lerr, e.errn = t->lerrn;
		e.det = t->ldet, e.detn = t->ldetn;
	}
	emit(f, t, 0, &e);
	t->state = to;
	snprintf(t->since, sizeof t->since, "%s", started);
	t->checks = len;
	t->failures = fails;
}

/* Site-level state after a probe of s turned down (delta 1) or up (-1). */
static void
quorum(struct fold *f, struct target *t, const struct rscan *r,
    const char *trig_ts, int delta, const char *started)
{
	struct site *s = t->site;
	struct ev e;
	int to;

	s->ndown = (unsigned)((int)s->ndown + delta);
	if (f->c.quorum <= 0)
		return;
	to = s->ndown >= (unsigned)f->c.quorum ? ST_DOWN : ST_UP;
	if (to == s->state)
		return;
	ev_init(&e, to == ST_DOWN ? "down" : "up", r, trig_ts);
	e.state = to;
	e.previous = s->state;
	e.started = started;
	e.previous_since = s->since;
	e.checks = s->checks;
	e.failures = s->failures;
	if (to == ST_DOWN) {
		e.err = t->lerr, e.errn = t->lerrn;
		e.det = t->ldet, e.detn = t->ldetn;
	}
	e.probes_down = (int)s->ndown;
	e.probes = (int)s->nprobes;
	emit(f, t, 1, &e);
	s->state = to;
	snprintf(s->since, sizeof s->since, "%s", started);
	s->checks = s->failures = 0;
}

/* stale or fresh about t, triggered by result r (maybe of another target). */
static void
staleness(struct fold *f, struct target *t, const struct rscan *r,
    const char *trig_ts, const char *kind, const char *started)
{
	struct ev e;

	ev_init(&e, kind, r, trig_ts);
	e.state = e.previous = t->state;
	e.started = started;
	e.previous_since = t->since;
	e.checks = t->checks;
	e.failures = t->failures;
	emit(f, t, 0, &e);
}

/* cert_expiring when cert_expiry comes within a deeper --cert-days threshold. */
static void
cert_check(struct fold *f, struct target *t, const struct rscan *r,
    const char *trig_ts, int64_t ts_us)
{
	const struct span *ce = &r->v[RK_CERT_EXPIRY];
	int64_t exp_us, left;
	int level = -1, i;
	char detail[160], when[FOLD_TSMAX];
	struct buf d = BUF_INIT;
	struct ev e;

	if (f->c.ncert == 0 || !span_isstr(ce) || strfield(when, ce) != 0 ||
	    rfc3339_us(when, strlen(when), &exp_us) != 0)
		return;
	left = exp_us - ts_us;
	for (i = 0; i < f->c.ncert; i++)
		if (left < (int64_t)f->c.cert_days[i] * 86400 * 1000000)
			level = i;
	if (level <= t->cert_level) {
		if (level < 0)
			t->cert_level = -1;	/* renewed: thresholds fire again */
		return;
	}
	t->cert_level = level;
	if (left < 0)
		snprintf(detail, sizeof detail, "certificate expired on %s", when);
	else
		snprintf(detail, sizeof detail,
		    "certificate expires in %" PRId64 " days, on %s (within %d)",
		    left / 86400 / 1000000, when, f->c.cert_days[level]);
	json_quote(&d, detail, strlen(detail));
	ev_init(&e, "cert_expiring", r, trig_ts);
	e.state = e.previous = t->state;
	e.started = trig_ts;
	e.previous_since = t->since;
	e.checks = t->checks;
	e.failures = t->failures;
	e.det = d.data, e.detn = d.len;
	emit(f, t, 0, &e);
	buf_free(&d);
}

int
fold_line(struct fold *f, const char *line, size_t n, const char **why)
{
	struct rscan r;
	struct target *t;
	char ts[FOLD_TSMAX], id[FOLD_TSMAX];
	int64_t ts_us;
	int ok, degraded, c;
	uint64_t before = f->events;

	if (rscan_line(&r, line, n, why) != 0)
		return -1;
	if (strfield(id, &r.v[RK_ID]) != 0 || id[0] == '\0') {
		*why = "no string \"id\"";
		return -1;
	}
	if (strfield(ts, &r.v[RK_TS]) != 0 ||
	    rfc3339_us(ts, r.v[RK_TS].n - 2, &ts_us) != 0) {
		*why = "no RFC 3339 \"ts\"";
		return -1;
	}
	if (!span_isstr(&r.v[RK_URL])) {
		*why = "no string \"url\"";
		return -1;
	}
	if (r.v[RK_OK].p && r.v[RK_OK].n == 4 && memcmp(r.v[RK_OK].p, "true", 4) == 0)
		ok = 1;
	else if (r.v[RK_OK].p && r.v[RK_OK].n == 5 &&
	    memcmp(r.v[RK_OK].p, "false", 5) == 0)
		ok = 0;
	else {
		*why = "no boolean \"ok\"";
		return -1;
	}
	if (r.v[RK_PROBE].p == NULL)
		r.v[RK_PROBE].p = "null", r.v[RK_PROBE].n = 4;
	degraded = ok && !span_null(&r.v[RK_DEGRADED]);

	t = fold_target(f, &r.v[RK_URL], &r.v[RK_PROBE]);
	/* Results of one target in (ts, id) order, as SQL orders them. */
	if (ts_us < t->last_us || (ts_us == t->last_us &&
	    (c = strcmp(id, t->last_id)) <= 0)) {
		/* The same result, or one from before a saved state: a replay. */
		if ((ts_us == t->last_us && c == 0) || ts_us <= t->loaded_us)
			f->dups++;
		else
			f->late++;
		return -2;
	}
	f->results++;
	setraw(&t->name, &t->namen, &r.v[RK_NAME]);
	setraw(&t->tags, &t->tagsn, &r.v[RK_TAGS]);
	if (t->stale) {
		t->stale = 0;
		staleness(f, t, &r, ts, "fresh", ts);
	}
	t->last_us = ts_us;
	memcpy(t->last_id, id, sizeof id);
	memcpy(t->last_ts, ts, sizeof ts);
	if (f->c.stale_us > 0) {
		fold_heap_update(f, t);
	}

	/* Runs of equal ok, and the segment counters of the current state. */
	if (ok == t->run_ok)
		t->run_len++;
	else {
		t->run_ok = ok;
		t->run_len = 1;
		memcpy(t->run_start, ts, sizeof ts);
	}
	t->checks++;
	t->site->checks++;
	if (!ok) {
		t->failures++;
		t->site->failures++;
		setraw(&t->lerr, &t->lerrn, &r.v[RK_ERROR]);
		setraw(&t->ldet, &t->ldetn, &r.v[RK_DETAIL]);
	}

	if (t->state != ST_DOWN && !ok && t->run_len == (uint64_t)f->c.fail) {
		turn(f, t, &r, ts, ST_DOWN, t->run_start, t->run_len, t->run_len);
		t->deg_run = t->clean_run = 0;
		quorum(f, t, &r, ts, 1, t->run_start);
	} else if (t->state == ST_DOWN && ok &&
	    t->run_len == (uint64_t)f->c.success) {
		turn(f, t, &r, ts, ST_UP, t->run_start, t->run_len, 0);
		t->deg_run = t->clean_run = 0;
		quorum(f, t, &r, ts, -1, t->run_start);
	} else if (t->state != ST_DOWN) {
		/* Degraded, counted only while up, from the result after the turn. */
		if (!ok)
			t->deg_run = t->clean_run = 0;
		else if (degraded) {
			if (t->deg_run++ == 0)
				memcpy(t->deg_start, ts, sizeof ts);
			t->clean_run = 0;
			if (t->state == ST_UP && t->deg_run == (uint64_t)f->c.degrade)
				turn(f, t, &r, ts, ST_DEGRADED, t->deg_start,
				    t->deg_run, 0);
		} else {
			if (t->clean_run++ == 0)
				memcpy(t->clean_start, ts, sizeof ts);
			t->deg_run = 0;
			if (t->state == ST_DEGRADED &&
			    t->clean_run == (uint64_t)f->c.degrade)
				turn(f, t, &r, ts, ST_UP, t->clean_start,
				    t->clean_run, 0);
		}
	}
	cert_check(f, t, &r, ts, ts_us);

	/* Targets whose last result is older than --stale, in event time. */
	if (ts_us > f->watermark)
		f->watermark = ts_us;
	while (f->c.stale_us > 0 && f->nheap > 0 &&
	    f->heap[0]->last_us + f->c.stale_us < f->watermark) {
		struct target *s = fold_heap_pop(f);

		s->stale = 1;
		staleness(f, s, &r, ts, "stale", s->last_ts);
	}
	return (int)(f->events - before);
}
