/*
 * foldsave.c: the state of a fold as text and back. One record per line,
 * fields separated by tabs; raw JSON values hold no tab or newline (they
 * are stored with whitespace made spaces), an empty time is "-".
 *
 *   W  watermark
 *   T  url probe name tags last_error last_detail state since checks
 *      failures run_ok run_len run_start deg_run clean_run deg_start
 *      clean_start last_us last_id last_ts stale cert_level
 *   S  url state since checks failures
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "state/foldint.h"
#include "util.h"

#define TFIELDS 23
#define SFIELDS 6

static const char *
ts_or_dash(const char *s)
{
	return s[0] ? s : "-";
}

static void
put_raw(struct buf *b, const char *p, size_t n)
{
	buf_putc(b, '\t');
	if (p)
		buf_append(b, p, n);
	else
		buf_puts(b, "null");
}

void
fold_save(const struct fold *f, struct buf *b)
{
	const struct target *t;
	const struct site *s;
	size_t i;

	buf_printf(b, "W\t%" PRId64 "\n", f->watermark);
	for (i = 0; i < f->ntab; i++)
		for (t = f->tab[i]; t; t = t->next) {
			buf_putc(b, 'T');
			put_raw(b, t->url, t->urln);
			put_raw(b, t->probe, t->proben);
			put_raw(b, t->name, t->namen);
			put_raw(b, t->tags, t->tagsn);
			put_raw(b, t->lerr, t->lerrn);
			put_raw(b, t->ldet, t->ldetn);
			buf_printf(b, "\t%d\t%s\t%" PRIu64 "\t%" PRIu64 "\t%d\t%"
			    PRIu64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%"
			    PRId64 "\t%s\t%s\t%d\t%d\n", t->state,
			    ts_or_dash(t->since), t->checks, t->failures,
			    t->run_ok, t->run_len, ts_or_dash(t->run_start),
			    t->deg_run, t->clean_run, ts_or_dash(t->deg_start),
			    ts_or_dash(t->clean_start), t->last_us,
			    ts_or_dash(t->last_id), ts_or_dash(t->last_ts),
			    t->stale, t->cert_level);
		}
	for (i = 0; i < f->nstab; i++)
		for (s = f->stab[i]; s; s = s->next) {
			buf_putc(b, 'S');
			put_raw(b, s->url, s->urln);
			buf_printf(b, "\t%d\t%s\t%" PRIu64 "\t%" PRIu64 "\n",
			    s->state, ts_or_dash(s->since), s->checks, s->failures);
		}
}

/* Split line at tabs into at most max fields; returns their number. */
static int
split(char *line, char **fld, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n == max)
			return max + 1;
		fld[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			return n;
		*p++ = '\0';
	}
}

static int
setts(char dst[FOLD_TSMAX], const char *s)
{
	if (strlen(s) >= FOLD_TSMAX)
		return -1;
	strcpy(dst, strcmp(s, "-") == 0 ? "" : s);
	return 0;
}

static char *
dupraw(const char *s, size_t *n)
{
	*n = strlen(s);
	return xstrdup(s);
}

static int
load_target(struct fold *f, char **v)
{
	struct span url = { v[1], strlen(v[1]) }, probe = { v[2], strlen(v[2]) };
	struct target *t = fold_target(f, &url, &probe);

	free(t->name), free(t->tags), free(t->lerr), free(t->ldet);
	t->name = dupraw(v[3], &t->namen);
	t->tags = dupraw(v[4], &t->tagsn);
	t->lerr = dupraw(v[5], &t->lerrn);
	t->ldet = dupraw(v[6], &t->ldetn);
	t->state = atoi(v[7]);
	if (t->state < ST_UP || t->state > ST_DEGRADED || setts(t->since, v[8]))
		return -1;
	t->checks = strtoull(v[9], NULL, 10);
	t->failures = strtoull(v[10], NULL, 10);
	t->run_ok = atoi(v[11]);
	t->run_len = strtoull(v[12], NULL, 10);
	t->deg_run = strtoull(v[14], NULL, 10);
	t->clean_run = strtoull(v[15], NULL, 10);
	t->last_us = t->loaded_us = strtoll(v[18], NULL, 10);
	t->stale = atoi(v[21]);
	t->cert_level = atoi(v[22]);
	if (setts(t->run_start, v[13]) || setts(t->deg_start, v[16]) ||
	    setts(t->clean_start, v[17]) || setts(t->last_id, v[19]) ||
	    setts(t->last_ts, v[20]))
		return -1;
	if (t->state == ST_DOWN)
		t->site->ndown++;
	if (f->c.stale_us > 0 && !t->stale)
		fold_heap_update(f, t);
	return 0;
}

int
fold_load(struct fold *f, const char *s, size_t n, const char **why)
{
	char *copy = xstrndup(s, n), *line, *nl, *v[TFIELDS + 1];
	struct span url;
	struct site *st;
	int k, rc = 0;

	for (line = copy; *line; line = nl) {
		if ((nl = strchr(line, '\n')) == NULL) {
			*why = "state file cut short";
			rc = -1;
			break;
		}
		*nl++ = '\0';
		k = split(line, v, TFIELDS);
		if (strcmp(v[0], "W") == 0 && k == 2)
			f->watermark = strtoll(v[1], NULL, 10);
		else if (strcmp(v[0], "T") == 0 && k == TFIELDS) {
			if (load_target(f, v) < 0) {
				*why = "bad target record";
				rc = -1;
				break;
			}
		} else if (strcmp(v[0], "S") == 0 && k == SFIELDS) {
			url.p = v[1], url.n = strlen(v[1]);
			st = fold_site(f, &url);
			st->state = atoi(v[2]);
			st->checks = strtoull(v[4], NULL, 10);
			st->failures = strtoull(v[5], NULL, 10);
			if (setts(st->since, v[3])) {
				*why = "bad site record";
				rc = -1;
				break;
			}
		} else {
			*why = "unknown record";
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}
