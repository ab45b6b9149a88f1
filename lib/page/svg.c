/* svg.c: the latency chart of a site's page and the badge of each site. */
#include "page/render.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "page/esc.h"
#include "page/page.h"

#define CW 720		/* chart size in user units */
#define CH 200
#define ML 52		/* margins: left for the axis labels, bottom for dates */
#define MR 8
#define MT 10
#define MB 24

/* A round step for about 4 grid lines up to max. */
static double
grid_step(double max)
{
	double mag = pow(10, floor(log10(max / 4))), f = max / 4 / mag;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

/* One line of the chart; a bucket without data breaks it. */
static void
line(struct buf *b, const struct pbucket *v, int n, int p95, double ymax,
    const char *cls)
{
	double x, y, val;
	int i, pen = 0;

	buf_printf(b, "<path class=\"%s\" d=\"", cls);
	for (i = 0; i < n; i++) {
		val = p95 ? v[i].p95 : v[i].p50;
		if (val < 0) {
			pen = 0;
			continue;
		}
		x = ML + (n == 1 ? 0 : (double)i * (CW - ML - MR) / (n - 1));
		y = MT + (CH - MT - MB) * (1 - val / ymax);
		/* A lone point still shows as a short dash. */
		buf_printf(b, "%c%.1f %.1f", pen ? 'L' : 'M', x, y);
		if (!pen && (i + 1 >= n || (p95 ? v[i + 1].p95 : v[i + 1].p50) < 0))
			buf_puts(b, "h1");
		pen = 1;
	}
	buf_puts(b, "\"/>\n");
}

void
page_chart(struct buf *b, const struct pbucket *v, int n, int64_t t0,
    int step, const char *label)
{
	double ymax = 0, lo = -1, hi = -1, g, y;
	char when[40], tick[40];
	int i, k, points = 0;

	for (i = 0; i < n; i++) {
		if (v[i].p95 < 0)
			continue;
		points++;
		ymax = v[i].p95 > ymax ? v[i].p95 : ymax;
		if (lo < 0 || v[i].p95 < lo)
			lo = v[i].p95;
		hi = v[i].p95 > hi ? v[i].p95 : hi;
	}
	if (ymax <= 0)
		ymax = 100;
	g = grid_step(ymax * 1.1);
	ymax = ceil(ymax * 1.1 / g) * g;
	buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"", CW, CH);
	html_esc(b, label);
	if (points)
		buf_printf(b, ": p95 from %.0f to %.0f ms\"", lo, hi);
	else
		buf_puts(b, ": no data\"");
	buf_puts(b, " xmlns=\"http://www.w3.org/2000/svg\">\n");
	for (y = 0; y <= ymax + g / 2; y += g) {
		double py = MT + (CH - MT - MB) * (1 - y / ymax);

		buf_printf(b, "<line class=\"g\" x1=\"%d\" x2=\"%d\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/><text x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\">%g ms</text>\n",
		    ML, CW - MR, py, py, ML - 6, py + 4, y);
	}
	/* Dates at the start, the middle and the end. */
	for (k = 0; k < 3; k++) {
		int at = k == 0 ? 0 : k == 1 ? (n - 1) / 2 : n - 1;
		double x = ML + (n <= 1 ? 0 : (double)at * (CW - ML - MR) / (n - 1));

		page_time(when, sizeof(when), t0 + (int64_t)at * step,
		    step >= 86400);
		/* Hours: "MM-DD HH:00"; days: "YYYY-MM-DD". */
		if (step < 86400)
			snprintf(tick, sizeof(tick), "%.5s %.5s", when + 5,
			    when + 11);
		else
			snprintf(tick, sizeof(tick), "%s", when);
		buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">"
		    "%s</text>\n", x,
		    CH - 6, k == 0 ? "start" : k == 1 ? "middle" : "end", tick);
	}
	if (points == 0)
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
		    "no results in this period</text>\n", (CW + ML) / 2, CH / 2);
	line(b, v, n, 1, ymax, "p95");
	line(b, v, n, 0, ymax, "p50");
	buf_puts(b, "</svg>\n");
}

/* Rough width of text in 11 px Verdana, as badge makers estimate it. */
static int
text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w += 7;
	return w;
}

void
page_badge(struct buf *b, const struct page *p, const struct psite *s)
{
	static const char *fill[] = { "#9f9f9f", "#2e9e5b", "#c98a12", "#c8312b" };
	struct buf name = BUF_INIT, left = BUF_INIT, right = BUF_INIT;
	long long checks, ups;
	char pct[32];
	int lw, rw;

	/* The label: the name cut to 32 bytes at a character boundary. */
	buf_puts(&name, s->name && *s->name ? s->name : s->url);
	if (name.len > 32) {
		html_escn(&left, name.data, 32);
		buf_puts(&left, "…");
	} else
		html_esc(&left, name.data);
	page_sum_days(p, s, 30, &checks, &ups);
	page_pct(pct, sizeof(pct), checks, ups);
	buf_printf(&right, "%s · %s", page_state_text(s->state), pct);
	lw = text_width(name.len > 32 ? "12345678901234567890123456789012" :
	    name.data) + 12;
	rw = text_width(right.data) + 12;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"20\" role=\"img\" aria-label=\"", lw + rw);
	buf_append(b, left.data, left.len);
	buf_printf(b, ": %s\">\n<title>", right.data);
	buf_append(b, left.data, left.len);
	buf_printf(b, ": %s (30-day uptime)</title>\n"
	    "<clipPath id=\"r\"><rect width=\"%d\" height=\"20\" rx=\"3\"/>"
	    "</clipPath>\n<g clip-path=\"url(#r)\">"
	    "<rect width=\"%d\" height=\"20\" fill=\"#555\"/>"
	    "<rect x=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/></g>\n"
	    "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" "
	    "font-size=\"11\">"
	    "<text x=\"6\" y=\"14\">", right.data, lw + rw, lw, lw, rw,
	    fill[s->state]);
	buf_append(b, left.data, left.len);
	buf_printf(b, "</text><text x=\"%d\" y=\"14\">%s</text></g>\n</svg>\n",
	    lw + 6, right.data);
	buf_free(&name);
	buf_free(&left);
	buf_free(&right);
}
