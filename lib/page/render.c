/* render.c: index.html and the page of each site. */
#include "page/render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page/esc.h"
#include "page/page.h"

#define WORST_DAYS 3	/* days below 100 % named in the bars' text */
#define HOUR 3600
#define DAY 86400

const char *
page_state_class(enum pstate s)
{
	static const char *cls[] = { "nodata", "up", "degraded", "down" };

	return cls[s];
}

void
page_time(char *out, size_t size, int64_t t, int date_only)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, size, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M UTC", &tm);
}

void
page_duration(char *out, size_t size, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s >= DAY)
		snprintf(out, size, "%" PRId64 " d %" PRId64 " h", s / DAY,
		    s % DAY / HOUR);
	else if (s >= HOUR)
		snprintf(out, size, "%" PRId64 " h %" PRId64 " min", s / HOUR,
		    s % HOUR / 60);
	else if (s >= 60)
		snprintf(out, size, "%" PRId64 " min", s / 60);
	else
		snprintf(out, size, "%" PRId64 " s", s);
}

void
page_head(struct buf *b, const char *title, const char *heading)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	if (heading) {
		html_esc(b, heading);
		buf_puts(b, " · ");
	}
	html_esc(b, title);
	buf_puts(b, "</title>\n<style>\n");
	buf_puts(b, page_css);
	buf_puts(b, "</style>\n</head>\n<body>\n");
}

void
page_pill(struct buf *b, enum pstate s, int probes, int bad)
{
	buf_printf(b, "<span class=\"pill %s\">%s", page_state_class(s),
	    page_state_text(s));
	if (probes > 1 && bad > 0)
		buf_printf(b, " (%d of %d probes)", bad, probes);
	buf_puts(b, "</span>");
}

/*
 * One day's bar: fully up, some failures, many (below 99 %: about a quarter
 * of an hour down in a day), or no data. A cell of a table rather than an
 * empty inline element: its end tag may be left out (4 bytes a bar keep a
 * thousand sites under a megabyte) and HTML checkers keep empty cells.
 */
static const char *
bar(const struct pbucket *d)
{
	if (d->checks == 0)
		return "<td class=n>";
	if (d->ups == d->checks)
		return "<td>";
	if (d->ups * 100 >= d->checks * 99)
		return "<td class=p>";
	return "<td class=d>";
}

void
page_bars(struct buf *b, const struct page *p, const struct psite *s)
{
	int worst[WORST_DAYS], nworst = 0, nbad = 0, nodata = 0, i, j;
	long long checks, ups;
	char pct[32], day[32];

	buf_puts(b, "<table class=bars aria-hidden=true><tr>");
	for (i = 0; i < p->ndays; i++) {
		const struct pbucket *d = &s->days[i];

		buf_puts(b, bar(d));
		if (d->checks == 0) {
			nodata++;
			continue;
		}
		if (d->ups == d->checks)
			continue;
		nbad++;
		/* Keep the WORST_DAYS lowest, lowest first (insertion). */
		for (j = nworst; j > 0; j--) {
			const struct pbucket *w = &s->days[worst[j - 1]];

			if (d->ups * w->checks >= w->ups * d->checks)
				break;
			if (j < WORST_DAYS)
				worst[j] = worst[j - 1];
		}
		if (j < WORST_DAYS) {
			worst[j] = i;
			if (nworst < WORST_DAYS)
				nworst++;
		}
	}
	page_sum_days(p, s, p->ndays, &checks, &ups);
	page_pct(pct, sizeof(pct), checks, ups);
	buf_printf(b, "</table>\n<p class=alt>%s uptime in %d days", pct,
	    p->ndays);
	if (nbad == 0 && nodata < p->ndays)
		buf_puts(b, ", no failed day");
	else if (nbad > 0)
		buf_printf(b, "; %d day%s with failures, worst:", nbad,
		    nbad == 1 ? "" : "s");
	for (j = 0; j < nworst; j++) {
		const struct pbucket *d = &s->days[worst[j]];

		page_time(day, sizeof(day), p->day0 + (int64_t)worst[j] * DAY, 1);
		page_pct(pct, sizeof(pct), d->checks, d->ups);
		buf_printf(b, "%s %s %s", j ? "," : "", day, pct);
	}
	if (nodata > 0 && nodata < p->ndays)
		buf_printf(b, "; no data on %d day%s", nodata,
		    nodata == 1 ? "" : "s");
	buf_puts(b, "</p>\n");
}

static enum pstate
overall(const struct page *p, int *down, int *degraded, int *nodata)
{
	size_t i;

	*down = *degraded = *nodata = 0;
	for (i = 0; i < p->nsites; i++) {
		switch (p->sites[i].state) {
		case PS_DOWN: (*down)++; break;
		case PS_DEGRADED: (*degraded)++; break;
		case PS_NODATA: (*nodata)++; break;
		default: break;
		}
	}
	if (*down)
		return PS_DOWN;
	if (*degraded)
		return PS_DEGRADED;
	return p->nsites && *nodata < (int)p->nsites ? PS_UP : PS_NODATA;
}

static void
banner(struct buf *b, const struct page *p)
{
	int down, degraded, nodata;
	enum pstate s = overall(p, &down, &degraded, &nodata);
	char when[40];

	buf_printf(b, "<div class=\"card banner %s\">", page_state_class(s));
	page_pill(b, s, 0, 0);
	buf_puts(b, " <span>");
	if (p->nsites == 0)
		buf_puts(b, "No sites have results yet");
	else if (down || degraded) {
		if (down)
			buf_printf(b, "%d of %zu site%s down", down, p->nsites,
			    p->nsites == 1 ? "" : "s");
		if (down && degraded)
			buf_puts(b, ", ");
		if (degraded)
			buf_printf(b, "%d degraded", degraded);
	} else
		buf_printf(b, "All %zu site%s operational", p->nsites,
		    p->nsites == 1 ? "" : "s");
	page_time(when, sizeof(when), p->now, 0);
	buf_printf(b, "</span> <small>Updated %s</small></div>\n", when);
}

/* The state cell: the state in words and colour, how long, since when. */
static void
state_cell(struct buf *b, const struct page *p, const struct psite *s)
{
	char dur[40], when[40];

	buf_puts(b, "<td>");
	page_pill(b, s->state, s->probes, s->probes_bad);
	if (s->since) {
		page_duration(dur, sizeof(dur), p->now - s->since);
		page_time(when, sizeof(when), s->since, 0);
		buf_printf(b, " %s <small>since %s%s</small>",
		    dur, s->since_exact ? "" : "about ", when);
	}
	buf_puts(b, "</td>");
}

/* Open incidents, newest first: a site's state other than up or no data. */
static void
open_incidents(struct buf *b, const struct page *p)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->nsites; i++) {
		const struct psite *s = &p->sites[p->order[i]];
		char dur[40];

		if (s->state != PS_DOWN && s->state != PS_DEGRADED)
			continue;
		if (n++ == 0)
			buf_puts(b, "<section>\n<h2 id=open>Open incidents</h2>\n"
			    "<ul class=\"card inc\">\n");
		buf_puts(b, "<li>");
		page_pill(b, s->state, s->probes, s->probes_bad);
		buf_printf(b, " <a href=\"site/%s.html\"><b>", s->slug);
		html_esc(b, s->name && *s->name ? s->name : s->url);
		buf_puts(b, "</b></a>");
		if (s->since) {
			page_duration(dur, sizeof(dur), p->now - s->since);
			buf_printf(b, " for %s%s", s->since_exact ? "" : "about ",
			    dur);
		}
		if (s->error) {
			buf_puts(b, " <small>— ");
			html_esc(b, s->error);
			if (s->detail) {
				buf_puts(b, ": ");
				html_escn(b, s->detail, 160);
			}
			buf_puts(b, "</small>");
		}
		buf_puts(b, "</li>\n");
	}
	if (n)
		buf_puts(b, "</ul>\n</section>\n");
}

static void
site_row(struct buf *b, const struct page *p, const struct psite *s)
{
	buf_printf(b, "<tr class=site><th><a href=\"site/%s.html\">", s->slug);
	html_esc(b, s->name && *s->name ? s->name : s->url);
	buf_puts(b, "</a>");
	if (s->name && *s->name) {
		buf_puts(b, "<br><small>");
		html_esc(b, s->url);
		buf_puts(b, "</small>");
	}
	buf_puts(b, "</th>");
	state_cell(b, p, s);
	if (s->p95_24h >= 0)
		buf_printf(b, "<td>%.0f ms</td>", s->p95_24h);
	else
		buf_puts(b, "<td>–</td>");
	if (s->cert) {
		int64_t days = (s->cert - p->now) / DAY;

		if (s->cert < p->now)
			days = -((p->now - s->cert + DAY - 1) / DAY);
		buf_printf(b, "<td%s>%" PRId64 " d</td></tr>\n",
		    days < 14 ? " class=bad" : days < 30 ? " class=warn" : "",
		    days);
	} else
		buf_puts(b, "<td>–</td></tr>\n");
	/* The bars under the row, the whole width of the card. */
	buf_puts(b, "<tr class=days><td colspan=4>");
	page_bars(b, p, s);
	buf_puts(b, "</td></tr>\n");
}

void
page_index(struct buf *b, const struct page *p)
{
	const char *group = NULL;
	size_t i;

	page_head(b, p->title, NULL);
	buf_puts(b, "<header>\n<h1>");
	html_esc(b, p->title);
	buf_puts(b, "</h1>\n</header>\n<main>\n");
	banner(b, p);
	open_incidents(b, p);
	for (i = 0; i < p->nsites; i++) {
		const struct psite *s = &p->sites[p->order[i]];

		if (i == 0 || (s->group == NULL) != (group == NULL) ||
		    (s->group && strcmp(s->group, group) != 0)) {
			if (i > 0)
				buf_puts(b, "</tbody></table>\n</section>\n");
			buf_puts(b, "<section>\n<h2>");
			if (s->group)
				html_esc(b, s->group);
			else
				buf_puts(b, p->group_tag ? "Other" : "Sites");
			buf_printf(b, "</h2>\n<table class=\"card sites\">"
			    "<thead><tr><th class=c1>Site · %d days</th>"
			    "<th class=c2>State</th><th class=c3>p95 24 h</th>"
			    "<th class=c4>Cert</th></tr></thead><tbody>\n",
			    p->ndays);
			group = s->group;
		}
		site_row(b, p, s);
	}
	if (p->nsites)
		buf_puts(b, "</tbody></table>\n</section>\n");
	buf_puts(b, "</main>\n<footer>Machine-readable: "
	    "<a href=\"status.json\">status.json</a>");
	for (i = 0; i < p->nsla; i++)
		if (i == 0 || strcmp(p->sla[i].month, p->sla[i - 1].month)) {
			buf_puts(b, i ? ", " : " · Uptime per month (CSV): ");
			buf_printf(b, "<a href=\"sla/%s.csv\">%s</a>",
			    p->sla[i].month, p->sla[i].month);
		}
	buf_puts(b, "</footer>\n</body>\n</html>\n");
}
