/* site.c: the page of one site: state, uptime, latency, incidents, errors. */
#include "page/render.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "page/esc.h"
#include "page/page.h"

#define DAY 86400

static void
stat(struct buf *b, const char *what, const char *value)
{
	buf_printf(b, "<div class=card><span>%s</span><b>%s</b></div>\n", what,
	    value);
}

static void
ms(char *out, size_t size, double v)
{
	if (v < 0)
		snprintf(out, size, "–");
	else
		snprintf(out, size, "%.0f ms", v);
}

static void
stats(struct buf *b, const struct page *p, const struct psite *s)
{
	long long checks = 0, ups = 0;
	char v[128];
	int i;

	buf_puts(b, "<div class=stats>\n");
	for (i = 0; i < p->nhours; i++) {
		checks += s->hours[i].checks;
		ups += s->hours[i].ups;
	}
	page_pct(v, sizeof(v), checks, ups);
	stat(b, "Uptime 48 h", v);
	page_sum_days(p, s, 30, &checks, &ups);
	page_pct(v, sizeof(v), checks, ups);
	stat(b, "Uptime 30 d", v);
	page_sum_days(p, s, p->ndays, &checks, &ups);
	page_pct(v, sizeof(v), checks, ups);
	stat(b, p->ndays == 90 ? "Uptime 90 d" : "Uptime", v);
	ms(v, sizeof(v), s->p50_24h);
	stat(b, "p50 24 h", v);
	ms(v, sizeof(v), s->p95_24h);
	stat(b, "p95 24 h", v);
	if (s->cert) {
		char day[32];
		int64_t left = s->cert >= p->now ? (s->cert - p->now) / DAY :
		    -((p->now - s->cert + DAY - 1) / DAY);

		page_time(day, sizeof(day), s->cert, 1);
		snprintf(v, sizeof(v), "%" PRId64 " d <small>%s</small>", left,
		    day);
		stat(b, "Certificate", v);
	}
	buf_puts(b, "</div>\n");
}

static void
incidents(struct buf *b, const struct page *p, const struct psite *s)
{
	char start[40], end[40], dur[40];
	size_t i;

	buf_printf(b, "<section class=\"card panel\">\n<h3 id=incidents>"
	    "Incidents</h3>\n<p class=alt>%s</p>\n",
	    p->events ? "From the state changes recorded in wm_events." :
	    "Outages of the last 7 days: 3 failures in a row open one, "
	    "2 successes close it.");
	if (s->ninc == 0) {
		buf_puts(b, "<p>No incidents.</p>\n</section>\n");
		return;
	}
	buf_puts(b, "<table class=list><thead><tr><th>Started</th><th>Ended</th>"
	    "<th>Duration</th><th>Probe</th><th>Cause</th></tr></thead>"
	    "<tbody>\n");
	for (i = 0; i < s->ninc; i++) {
		const struct pincident *in = &s->inc[i];

		page_time(start, sizeof(start), in->started, 0);
		if (in->ended)
			page_time(end, sizeof(end), in->ended, 0);
		page_duration(dur, sizeof(dur),
		    (in->ended ? in->ended : p->now) - in->started);
		buf_printf(b, "<tr><td>%s</td><td>", start);
		if (in->ended)
			buf_puts(b, end);
		else
			page_pill(b, PS_DOWN, 0, 0);
		buf_printf(b, "</td><td>%s</td><td>", dur);
		html_esc(b, in->probe);
		buf_puts(b, "</td><td>");
		html_esc(b, in->error);
		if (in->detail) {
			buf_puts(b, in->error ? ": " : "");
			html_escn(b, in->detail, 200);
		}
		if (in->failures >= 0)
			buf_printf(b, " <small>(%ld of %ld checks failed)</small>",
			    in->failures, in->checks);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table>\n</section>\n");
}

static void
errors(struct buf *b, const struct psite *s)
{
	char when[40];
	size_t i;

	buf_puts(b, "<section class=\"card panel\">\n<h3 id=errors>"
	    "Last errors</h3>\n");
	if (s->nerr == 0) {
		buf_puts(b, "<p>No failed checks in this period.</p>\n"
		    "</section>\n");
		return;
	}
	buf_puts(b, "<table class=list><thead><tr><th>Time</th><th>Probe</th>"
	    "<th>Status</th><th>Error</th></tr></thead><tbody>\n");
	for (i = 0; i < s->nerr; i++) {
		const struct perror *e = &s->err[i];

		page_time(when, sizeof(when), e->ts, 0);
		buf_printf(b, "<tr><td>%s</td><td>", when);
		html_esc(b, e->probe);
		if (e->status)
			buf_printf(b, "</td><td>%d</td><td>", e->status);
		else
			buf_puts(b, "</td><td>–</td><td>");
		html_esc(b, e->error);
		if (e->detail) {
			buf_puts(b, ": ");
			html_escn(b, e->detail, 300);
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table>\n</section>\n");
}

static void
chart_panel(struct buf *b, const char *title, const struct pbucket *v, int n,
    int64_t t0, int step)
{
	buf_printf(b, "<section class=\"card panel\">\n<h3>%s</h3>\n"
	    "<p class=key><b class=k50>━ p50</b> &nbsp; <b class=k95>━ p95"
	    "</b> &nbsp; latency of the ok checks</p>\n", title);
	page_chart(b, v, n, t0, step, title);
	buf_puts(b, "</section>\n");
}

void
page_site(struct buf *b, const struct page *p, const struct psite *s)
{
	const char *label = s->name && *s->name ? s->name : s->url;
	char when[40], dur[40];

	page_head(b, p->title, label);
	buf_puts(b, "<header>\n<p><a href=\"../index.html\">← ");
	html_esc(b, p->title);
	buf_puts(b, "</a></p>\n<h1>");
	html_esc(b, label);
	buf_puts(b, "</h1>\n<p class=mute>");
	/* Only http(s) urls become links; any other text stays text. */
	if (strncmp(s->url, "http://", 7) == 0 ||
	    strncmp(s->url, "https://", 8) == 0) {
		buf_puts(b, "<a href=\"");
		html_esc(b, s->url);
		buf_puts(b, "\" rel=\"nofollow noopener\">");
		html_esc(b, label == s->url ? "Open the site" : s->url);
		buf_puts(b, "</a>");
	} else if (label != s->url)
		html_esc(b, s->url);
	if (s->group) {
		buf_puts(b, " · ");
		html_esc(b, s->group);
	}
	buf_printf(b, " · checked from %d probe%s", s->probes,
	    s->probes == 1 ? "" : "s");
	buf_puts(b, "</p>\n</header>\n<main>\n");
	buf_printf(b, "<div class=\"card banner %s\">",
	    page_state_class(s->state));
	page_pill(b, s->state, s->probes, s->probes_bad);
	buf_puts(b, " <span>");
	if (s->since) {
		page_duration(dur, sizeof(dur), p->now - s->since);
		page_time(when, sizeof(when), s->since, 0);
		buf_printf(b, "%s for %s <small>since %s%s</small>",
		    page_state_text(s->state), dur,
		    s->since_exact ? "" : "about ", when);
	}
	if (s->error && s->state != PS_UP) {
		buf_puts(b, "<br><small>");
		html_esc(b, s->error);
		if (s->detail) {
			buf_puts(b, ": ");
			html_escn(b, s->detail, 300);
		}
		buf_puts(b, "</small>");
	}
	page_time(when, sizeof(when), s->last, 0);
	buf_printf(b, "</span> <small>Last check %s</small></div>\n",
	    s->last ? when : "–");
	stats(b, p, s);
	buf_printf(b, "<section class=\"card panel\">\n<h3>Uptime, last %d days"
	    "</h3>\n", p->ndays);
	page_bars(b, p, s);
	buf_puts(b, "</section>\n");
	chart_panel(b, "Latency, last 48 hours", s->hours, p->nhours, p->hour0,
	    3600);
	snprintf(when, sizeof(when), "Latency, last %d days", p->ndays);
	chart_panel(b, when, s->days, p->ndays, p->day0, DAY);
	incidents(b, p, s);
	errors(b, s);
	buf_printf(b, "</main>\n<footer>Badge: <a href=\"../badge/%s.svg\">"
	    "<img src=\"../badge/%s.svg\" alt=\"badge: ", s->slug, s->slug);
	html_esc(b, label);
	buf_printf(b, " %s\"></a></footer>\n</body>\n</html>\n",
	    page_state_text(s->state));
}
