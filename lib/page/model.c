/* model.c: the status page's data: freeing, ordering, slugs, JSON, CSV. */
#include "page/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "page/esc.h"
#include "timeutil.h"
#include "util.h"

void
page_free(struct page *p)
{
	size_t i, j;

	for (i = 0; i < p->nsites; i++) {
		struct psite *s = &p->sites[i];

		free(s->url);
		free(s->name);
		free(s->group);
		free(s->slug);
		free(s->error);
		free(s->detail);
		free(s->days);
		free(s->hours);
		for (j = 0; j < s->ninc; j++) {
			free(s->inc[j].probe);
			free(s->inc[j].error);
			free(s->inc[j].detail);
		}
		free(s->inc);
		for (j = 0; j < s->nerr; j++) {
			free(s->err[j].probe);
			free(s->err[j].error);
			free(s->err[j].detail);
		}
		free(s->err);
	}
	free(p->sites);
	free(p->order);
	for (i = 0; i < p->nsla; i++) {
		free(p->sla[i].probe);
		free(p->sla[i].pct);
	}
	free(p->sla);
	memset(p, 0, sizeof(*p));
}

static const char *
label(const struct psite *s)
{
	return s->name && *s->name ? s->name : s->url;
}

static const struct page *sortpage;	/* qsort has no context argument */

static int
cmporder(const void *a, const void *b)
{
	const struct psite *x = &sortpage->sites[*(const size_t *)a];
	const struct psite *y = &sortpage->sites[*(const size_t *)b];
	int c;

	/* Sites without the group tag come last. */
	if ((x->group == NULL) != (y->group == NULL))
		return x->group == NULL ? 1 : -1;
	if (x->group && (c = strcmp(x->group, y->group)) != 0)
		return c;
	if ((c = strcmp(label(x), label(y))) != 0)
		return c;
	return strcmp(x->url, y->url);
}

static int
slug_taken(const struct page *p, const char *slug)
{
	size_t j;

	for (j = 0; j < p->nsites; j++)
		if (strcmp(p->sites[j].slug, slug) == 0)
			return 1;
	return 0;
}

static int
cmpslug(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sortpage->sites[x].slug, sortpage->sites[y].slug);

	return c ? c : x < y ? -1 : x > y;
}

/*
 * Slugs in url order, so that a site keeps its file names whatever its
 * group or name: the first of equal slugs keeps it, the next get "-2",
 * "-3"... (urls that differ only in case or punctuation: rare). Finding
 * them takes a sort; only those few are checked against every name.
 */
static void
make_slugs(struct page *p)
{
	size_t *idx = xreallocarray(NULL, p->nsites ? p->nsites : 1,
	    sizeof(*idx));
	unsigned char *later = xcalloc(p->nsites ? p->nsites : 1, 1);
	size_t i, k;

	for (i = 0; i < p->nsites; i++) {
		free(p->sites[i].slug);
		p->sites[i].slug = page_slug(p->sites[i].url);
		idx[i] = i;
	}
	sortpage = p;
	qsort(idx, p->nsites, sizeof(*idx), cmpslug);
	sortpage = NULL;
	/* Equal slugs sort by url: all but the first are renamed. */
	for (i = 1; i < p->nsites; i++)
		if (strcmp(p->sites[idx[i]].slug, p->sites[idx[i - 1]].slug) == 0)
			later[idx[i]] = 1;
	for (i = 0; i < p->nsites; i++) {
		struct psite *s = &p->sites[i];

		for (k = 2; later[i]; k++) {
			struct buf b = BUF_INIT;

			buf_printf(&b, "%s-%zu", s->slug, k);
			if (!slug_taken(p, b.data)) {
				free(s->slug);
				s->slug = buf_detach(&b, NULL);
				later[i] = 0;
			}
			buf_free(&b);
		}
	}
	free(idx);
	free(later);
}

void
page_finish(struct page *p)
{
	size_t i;

	free(p->order);
	p->order = xreallocarray(NULL, p->nsites ? p->nsites : 1,
	    sizeof(*p->order));
	for (i = 0; i < p->nsites; i++)
		p->order[i] = i;
	sortpage = p;
	qsort(p->order, p->nsites, sizeof(*p->order), cmporder);
	sortpage = NULL;
	make_slugs(p);
}

static int
cmpfind(const void *key, const void *elem)
{
	return strcmp(key, ((const struct psite *)elem)->url);
}

struct psite *
page_find(const struct page *p, const char *url)
{
	return bsearch(url, p->sites, p->nsites, sizeof(*p->sites), cmpfind);
}

const char *
page_state_text(enum pstate s)
{
	switch (s) {
	case PS_UP: return "Up";
	case PS_DEGRADED: return "Degraded";
	case PS_DOWN: return "Down";
	default: return "No data";
	}
}

void
page_pct(char *out, size_t size, long long checks, long long ups)
{
	long long hundredths;

	if (checks <= 0) {
		snprintf(out, size, "–");
		return;
	}
	/* Truncated, so 100 shows only when nothing failed. */
	hundredths = ups * 10000 / checks;
	snprintf(out, size, "%lld.%02lld%%", hundredths / 100, hundredths % 100);
}

void
page_sum_days(const struct page *p, const struct psite *s, int n,
    long long *checks, long long *ups)
{
	int i;

	*checks = *ups = 0;
	for (i = p->ndays - n; i < p->ndays; i++) {
		if (i < 0)
			continue;
		*checks += s->days[i].checks;
		*ups += s->days[i].ups;
	}
}

static void
json_time(struct jsonw *w, int64_t t)
{
	char ts[32];

	if (t == 0) {
		jsonw_null(w);
		return;
	}
	fmt_rfc3339(ts, sizeof(ts), (time_t)t);
	jsonw_str(w, ts);
}

static void
json_uptime(struct jsonw *w, const struct page *p, const struct psite *s, int n)
{
	long long checks, ups;
	char num[32];

	page_sum_days(p, s, n, &checks, &ups);
	if (checks == 0) {
		jsonw_null(w);
		return;
	}
	snprintf(num, sizeof(num), "%.3f",
	    (double)(ups * 100000 / checks) / 1000.0);
	jsonw_raw(w, num, strlen(num));
}

void
page_status_json(struct buf *b, const struct page *p)
{
	static const char *keys[] = { "nodata", "up", "degraded", "down" };
	struct jsonw w;
	size_t i;

	jsonw_init(&w, b);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "title");
	jsonw_str(&w, p->title);
	jsonw_key(&w, "generated");
	json_time(&w, p->now);
	jsonw_key(&w, "sites");
	jsonw_arr_begin(&w);
	for (i = 0; i < p->nsites; i++) {
		const struct psite *s = &p->sites[i];

		jsonw_obj_begin(&w);
		jsonw_key(&w, "url");
		jsonw_str(&w, s->url);
		jsonw_key(&w, "name");
		jsonw_str(&w, s->name);
		jsonw_key(&w, "group");
		jsonw_str(&w, s->group);
		jsonw_key(&w, "page");
		{
			struct buf path = BUF_INIT;

			buf_printf(&path, "site/%s.html", s->slug);
			jsonw_str(&w, path.data);
			buf_free(&path);
		}
		jsonw_key(&w, "state");
		jsonw_str(&w, keys[s->state]);
		jsonw_key(&w, "since");
		json_time(&w, s->since);
		jsonw_key(&w, "last_check");
		json_time(&w, s->last);
		jsonw_key(&w, "probes");
		jsonw_int(&w, s->probes);
		jsonw_key(&w, "probes_not_up");
		jsonw_int(&w, s->probes_bad);
		jsonw_key(&w, "error");
		jsonw_str(&w, s->error);
		jsonw_key(&w, "detail");
		jsonw_str(&w, s->detail);
		jsonw_key(&w, "uptime_30d");
		json_uptime(&w, p, s, 30);
		jsonw_key(&w, "uptime_90d");
		json_uptime(&w, p, s, 90);
		jsonw_key(&w, "p95_ms_24h");
		jsonw_ms(&w, s->p95_24h);
		jsonw_key(&w, "cert_expiry");
		json_time(&w, s->cert);
		jsonw_key(&w, "open_incidents");
		jsonw_int(&w, s->open);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	buf_putc(b, '\n');
}

void
page_sla_csv(struct buf *b, const struct page *p, size_t *i)
{
	const char *month = p->sla[*i].month;

	buf_puts(b, "month,url,name,probe,checks,ups,uptime_pct\r\n");
	for (; *i < p->nsla && strcmp(p->sla[*i].month, month) == 0; (*i)++) {
		const struct psla *r = &p->sla[*i];
		const struct psite *s = &p->sites[r->site];

		buf_printf(b, "%s,", r->month);
		csv_field(b, s->url);
		buf_putc(b, ',');
		csv_field(b, s->name);
		buf_putc(b, ',');
		csv_field(b, r->probe);
		buf_printf(b, ",%lld,%lld,%s\r\n", r->checks, r->ups, r->pct);
	}
}
