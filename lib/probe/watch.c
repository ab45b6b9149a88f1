/*
 * watch.c: the --watch loop. Each site is a struct wsite holding its parsed
 * definition and its place in the schedule. The loop starts every due probe
 * while fewer than -c are in flight, waits in prober_run() until the next
 * due time or a result, reschedules each site when its result is written,
 * and acts on the program's reload and stop flags between waits. A signal
 * interrupts the wait; the wait is also capped so that a signal arriving
 * just before it is seen soon. Which sites a reload keeps, adds and removes
 * is planned by reload.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "reload.h"
#include "schedule.h"
#include "shard.h"
#include "timeutil.h"
#include "util.h"
#include "watch.h"

#define MAX_WAIT_US	250000	/* longest single wait, bounds signal latency */
#define GRACE_US	1000000	/* in-flight time left after a second signal */

struct wsite {
	struct sched_item si;	/* first: a sched_item * is a struct wsite * */
	struct site site;	/* owned */
	uint64_t defhash;	/* hash of everything that defines the probe */
	unsigned char removed;	/* gone by a reload while in flight */
};

struct watch {
	const struct watch_opts *o;
	struct prober *p;
	struct sched sched;
	struct wsite **live;	/* the running set */
	size_t nlive;
	size_t ndetached;	/* removed by a reload, probe still in flight */
	int stopping;		/* no new probes */
	int outclosed;		/* output gone (EPIPE) or failed */
	int outerr;		/* errno of a failed write other than EPIPE */
	uint64_t done_iv, fail_iv, skipped_iv, aborted;
	uint64_t done_total, fail_total;
	int64_t start, stats_t0;
	struct buf scratch;	/* definition bytes for hashing */
};

static int64_t
now_mono(void)
{
	return (int64_t)(mono_ms() * 1000.0);
}

static void
note(const struct watch *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(const struct watch *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (w->o->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->o->note(msg, w->o->note_arg);
}

static void
put_field(struct buf *b, const char *s, size_t n)
{
	if (s == NULL) {
		buf_putc(b, 0);
		return;
	}
	buf_printf(b, "%c%zu:", 1, n);
	buf_append(b, s, n);
}

static void
put_str(struct buf *b, const char *s)
{
	put_field(b, s, s ? strlen(s) : 0);
}

/*
 * A hash of every field that shapes the probe or its result, so that a
 * reload keeps a site only when its whole definition is unchanged. Where
 * it sits in the files (file, lineno) does not count.
 */
static uint64_t
site_defhash(struct buf *b, const struct site *s)
{
	const struct curl_slist *h;

	buf_reset(b);
	put_str(b, s->url);
	put_str(b, s->name);
	put_str(b, s->method);
	put_field(b, s->body, s->body_len);
	put_str(b, s->proxy);
	put_str(b, s->regex_src);
	for (h = s->headers; h != NULL; h = h->next)
		put_str(b, h->data);
	put_str(b, "headers-end");
	put_str(b, s->expect_src);
	buf_printf(b, "%.17g|%.17g|%d|", s->timeout_s, s->interval_s,
	    s->follow);
	put_str(b, s->tags_json);
	put_str(b, s->defkey);
	return shard_hash(b->data, b->len);
}

static int64_t
interval_us(const struct site *s)
{
	double us = s->interval_s * 1e6;

	if (!(us >= 1000.0))
		return 1000;
	if (us > 1e15)
		return (int64_t)1e15;
	return (int64_t)llround(us);
}

/* Take over *s (moved, not copied) as a new scheduled site. */
static struct wsite *
adopt(struct watch *w, struct site *s, uint64_t defhash, int64_t now)
{
	struct wsite *ws = xcalloc(1, sizeof(*ws));

	ws->site = *s;
	ws->defhash = defhash;
	ws->si.pos = SCHED_NOPOS;
	sched_add(&w->sched, &ws->si, s->urlhash, interval_us(s), now);
	return ws;
}

static void
wsite_free(struct wsite *ws)
{
	site_free(&ws->site);
	free(ws);
}

struct badctx {
	struct watch *w;
	const char *prefix;
};

static void
on_bad(const char *file, unsigned long lineno, const char *why, void *arg)
{
	struct badctx *bc = arg;

	note(bc->w, "%s%s:%lu: %s", bc->prefix, file, lineno, why);
}

/*
 * Read every sites file into a new array and keep this shard's sites.
 * Returns 0, or -1 after reporting a file that could not be read. Bad
 * lines are reported and counted in *nbad.
 */
static int
load_all(struct watch *w, const char *prefix, struct site **out, size_t *n,
    size_t *nbad, char *errstr, size_t errsize)
{
	const struct watch_opts *o = w->o;
	struct badctx bc = { w, prefix };
	struct site *arr = NULL;
	size_t i, k, cnt = 0;

	*nbad = 0;
	for (i = 0; i < o->nfiles; i++) {
		if (sites_load(o->files[i], o->def, &arr, &cnt, nbad, on_bad,
		    &bc, errstr, errsize) == -1) {
			sites_free(arr, cnt);
			return -1;
		}
	}
	for (i = k = 0; i < cnt; i++) {
		if (o->shard_n == 0 ||
		    shard_mine(arr[i].urlhash, o->shard_k, o->shard_n))
			arr[k++] = arr[i];
		else
			site_free(&arr[i]);
	}
	*out = arr;
	*n = k;
	return 0;
}

static int
initial_load(struct watch *w, size_t *nbad, char *errstr, size_t errsize)
{
	struct site *arr;
	size_t i, n;
	int64_t now;

	if (load_all(w, "", &arr, &n, nbad, errstr, errsize) == -1)
		return -1;
	w->live = xreallocarray(NULL, n ? n : 1, sizeof(*w->live));
	now = now_mono();
	sched_init(&w->sched, now);
	for (i = 0; i < n; i++)
		w->live[i] = adopt(w, &arr[i], site_defhash(&w->scratch,
		    &arr[i]), now);
	w->nlive = n;
	free(arr);
	return 0;
}

static int
reads_stdin(const struct watch_opts *o)
{
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		if (strcmp(o->files[i], "-") == 0)
			return 1;
	return 0;
}

/*
 * SIGHUP: read the files again. Sites whose definition is unchanged keep
 * their schedule, new ones join on their own grid, removed ones leave (one
 * in flight finishes and writes its result first). Any unreadable file or
 * bad line keeps the running set as it is.
 */
static void
reload(struct watch *w)
{
	struct wsite **nlive;
	struct site *arr;
	struct reload_site *old, *new;
	struct reload_plan plan;
	size_t i, n, nbad;
	char err[512];
	int64_t now;

	if (reads_stdin(w->o)) {
		note(w, "reload: cannot read standard input again; "
		    "keeping the %zu sites running", w->nlive);
		return;
	}
	if (load_all(w, "reload: ", &arr, &n, &nbad, err, sizeof(err)) == -1) {
		note(w, "reload: %s; keeping the %zu sites running", err,
		    w->nlive);
		return;
	}
	if (nbad > 0) {
		note(w, "reload: %zu bad line%s; keeping the %zu sites running",
		    nbad, nbad == 1 ? "" : "s", w->nlive);
		sites_free(arr, n);
		return;
	}

	old = xreallocarray(NULL, w->nlive ? w->nlive : 1, sizeof(*old));
	new = xreallocarray(NULL, n ? n : 1, sizeof(*new));
	for (i = 0; i < w->nlive; i++) {
		old[i].urlhash = w->live[i]->site.urlhash;
		old[i].defhash = w->live[i]->defhash;
	}
	for (i = 0; i < n; i++) {
		new[i].urlhash = arr[i].urlhash;
		new[i].defhash = site_defhash(&w->scratch, &arr[i]);
	}
	reload_plan(&plan, old, w->nlive, new, n);

	now = now_mono();
	nlive = xreallocarray(NULL, n ? n : 1, sizeof(*nlive));
	for (i = 0; i < n; i++) {
		if (plan.keep[i] != RELOAD_NONE) {
			nlive[i] = w->live[plan.keep[i]];
			nlive[i]->site.lineno = arr[i].lineno;
			site_free(&arr[i]);
		} else
			nlive[i] = adopt(w, &arr[i], new[i].defhash, now);
	}
	for (i = 0; i < w->nlive; i++) {
		struct wsite *ws = w->live[i];

		if (!plan.leave[i])
			continue;
		if (ws->si.inflight) {
			ws->removed = 1;
			w->ndetached++;
		} else {
			sched_remove(&w->sched, &ws->si);
			wsite_free(ws);
		}
	}
	if (w->o->verbose)
		note(w, "reload: sites=%zu added=%zu removed=%zu kept=%zu "
		    "changed=%zu", n, plan.added + plan.changed,
		    plan.removed + plan.changed, plan.kept, plan.changed);
	reload_plan_free(&plan);
	free(old);
	free(new);
	free(arr);
	free(w->live);
	w->live = nlive;
	w->nlive = n;
}

static void
on_done(void *udata, const char *line, size_t len, int ok, void *arg)
{
	struct watch *w = arg;
	struct wsite *ws = udata;

	if (!w->outclosed && write_all(w->o->outfd, line, len) == -1) {
		w->outclosed = 1;
		if (errno != EPIPE)
			w->outerr = errno;
	}
	w->done_iv++;
	w->done_total++;
	if (!ok) {
		w->fail_iv++;
		w->fail_total++;
	}
	if (ws->removed) {
		w->ndetached--;
		wsite_free(ws);
	} else {
		sched_done(&w->sched, &ws->si, now_mono());
	}
}

static void
on_aborted(void *udata, void *arg)
{
	struct watch *w = arg;
	struct wsite *ws = udata;

	w->aborted++;
	if (ws->removed) {
		w->ndetached--;
		wsite_free(ws);
	} else {
		ws->si.inflight = 0;
	}
}

static void
start_due(struct watch *w)
{
	struct sched_item *it;
	char err[512];
	int64_t now;

	while (prober_inflight(w->p) < w->o->concurrency) {
		now = now_mono();
		if ((it = sched_pop_due(&w->sched, now)) == NULL)
			break;
		struct wsite *ws = (struct wsite *)it;
		if (prober_start(w->p, &ws->site, ws, err, sizeof(err)) == -1) {
			note(w, "'%s': %s", ws->site.url, err);
			w->fail_iv++;
			w->fail_total++;
			sched_done(&w->sched, it, now);
		}
	}
}

static double
ms(int64_t us)
{
	return (double)us / 1000.0;
}

static void
stats_line(struct watch *w, int64_t now)
{
	double secs = (double)(now - w->stats_t0) / 1e6;
	const struct lathist *h = &w->sched.late;

	note(w, "stats: sites=%zu probes/s=%.1f inflight=%zu failures=%llu "
	    "late_p50_ms=%.1f late_p99_ms=%.1f skipped=%llu",
	    w->nlive, secs > 0 ? (double)w->done_iv / secs : 0.0,
	    prober_inflight(w->p), (unsigned long long)w->fail_iv,
	    ms(lathist_quantile(h, 0.50)), ms(lathist_quantile(h, 0.99)),
	    (unsigned long long)(w->sched.skipped - w->skipped_iv));
	w->done_iv = w->fail_iv = 0;
	w->skipped_iv = w->sched.skipped;
	lathist_reset(&w->sched.late);
	w->stats_t0 = now;
}

static void
total_line(struct watch *w, int64_t now)
{
	const struct lathist *h = &w->sched.late_total;

	note(w, "total: seconds=%.1f probes=%llu failures=%llu "
	    "late_p50_ms=%.1f late_p99_ms=%.1f late_max_ms=%.1f skipped=%llu "
	    "abandoned=%llu", (double)(now - w->start) / 1e6,
	    (unsigned long long)w->done_total,
	    (unsigned long long)w->fail_total, ms(lathist_quantile(h, 0.50)),
	    ms(lathist_quantile(h, 0.99)), ms(lathist_quantile(h, 1.0)),
	    (unsigned long long)w->sched.skipped,
	    (unsigned long long)w->aborted);
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int
loop(struct watch *w, char *errstr, size_t errsize)
{
	const struct watch_opts *o = w->o;
	int64_t stats_us = (int64_t)(o->stats_s * 1e6);
	int64_t next_stats, abort_at = 0, now, wait;

	if (stats_us < 1000)
		stats_us = 1000;
	next_stats = w->start + stats_us;
	for (;;) {
		now = now_mono();
		if (w->outclosed)
			break;
		if (*o->stop && !w->stopping)
			w->stopping = 1;
		if (*o->stop >= 2 && abort_at == 0)
			abort_at = now + GRACE_US;
		if (w->stopping) {
			if (prober_inflight(w->p) == 0)
				break;
			if (abort_at != 0 && now >= abort_at)
				break;
		} else {
			if (*o->hup) {
				*o->hup = 0;
				reload(w);
			}
			start_due(w);
			now = now_mono();
		}
		if (o->verbose && now >= next_stats) {
			stats_line(w, now);
			next_stats += stats_us;
			if (next_stats <= now)
				next_stats = now + stats_us;
		}

		wait = MAX_WAIT_US;
		if (!w->stopping && prober_inflight(w->p) < o->concurrency)
			wait = min64(wait, sched_next_due(&w->sched) - now);
		if (o->verbose)
			wait = min64(wait, next_stats - now);
		if (abort_at != 0)
			wait = min64(wait, abort_at - now);
		if (wait < 0)
			wait = 0;
		if (prober_run(w->p, (int)((wait + 999) / 1000), on_done, w,
		    errstr, errsize) == -1)
			return -1;
	}
	return 0;
}

int
watch_run(const struct watch_opts *o, struct prober *p, char *errstr,
    size_t errsize)
{
	struct watch w;
	size_t nbad = 0, i;
	int rc;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.p = p;

	if (initial_load(&w, &nbad, errstr, errsize) == -1) {
		rc = -1;
		goto out;
	}
	w.start = w.stats_t0 = w.sched.epoch;
	rc = loop(&w, errstr, errsize);

	if (prober_inflight(p) > 0) {
		size_t before = w.aborted;
		prober_abort_all(p, on_aborted, &w);
		if (!w.outclosed && w.aborted > before)
			note(&w, "abandoned %zu probe%s in flight",
			    (size_t)(w.aborted - before),
			    w.aborted - before == 1 ? "" : "s");
	}
	if (o->verbose)
		total_line(&w, now_mono());
out:
	for (i = 0; i < w.nlive; i++)
		wsite_free(w.live[i]);
	free(w.live);
	sched_free(&w.sched);
	buf_free(&w.scratch);

	if (rc == -1)
		return WATCH_ERROR;
	if (w.outerr != 0) {
		snprintf(errstr, errsize, "write: %s", strerror(w.outerr));
		return WATCH_ERROR;
	}
	return nbad > 0 ? WATCH_BADLINES : WATCH_OK;
}
