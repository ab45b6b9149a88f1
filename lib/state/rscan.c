/* rscan.c: the members of a result wm-state needs, in one pass of lib/jsonr. */
#include "state/rscan.h"

#include <string.h>

#include "jsonr.h"

static const char *const keys[RK_COUNT] = {
	"id", "ts", "url", "name", "ok", "error", "detail", "degraded",
	"cert_expiry", "probe", "tags"
};

static int
key_index(const char *k, size_t n)
{
	int i;

	for (i = 0; i < RK_COUNT; i++)
		if (keys[i][0] == k[0] && strlen(keys[i]) == n &&
		    memcmp(keys[i], k, n) == 0)
			return i;
	return -1;
}

int
rscan_line(struct rscan *r, const char *s, size_t n, const char **why)
{
	struct jsonr jr;
	struct jsonr_val name, v;
	int i, rc;

	memset(r, 0, sizeof *r);
	jsonr_init(&jr, s, n, 0);
	if (jsonr_object(&jr) < 0)
		goto bad;
	while ((rc = jsonr_member(&jr, &name)) == 1) {
		if (jsonr_value(&jr, &v) < 0)
			goto bad;
		if (!name.escaped && (i = key_index(name.str, name.slen)) >= 0) {
			r->v[i].p = v.raw;
			r->v[i].n = v.len;
		}
	}
	if (rc < 0 || jsonr_end(&jr) < 0)
		goto bad;
	return 0;
bad:
	*why = jr.err ? jr.err : "not a JSON object";
	return -1;
}

int
span_null(const struct span *sp)
{
	return sp->p == NULL || (sp->n == 4 && memcmp(sp->p, "null", 4) == 0);
}

int
span_isstr(const struct span *sp)
{
	return sp->p != NULL && sp->n >= 2 && sp->p[0] == '"';
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's method). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
rfc3339_us(const char *s, size_t n, int64_t *us)
{
	int y, mo, d, h, mi, sec, oh, om, i;
	int64_t frac = 0, scale = 1000000, off = 0;
	size_t pos;

	if (n < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	pos = 19;
	if (s[pos] == '.') {
		for (i = 0, pos++; pos < n && s[pos] >= '0' && s[pos] <= '9';
		    pos++, i++) {
			if (i < 6) {
				frac = frac * 10 + (s[pos] - '0');
				scale /= 10;
			}
		}
		if (i == 0)
			return -1;
		frac *= scale;
	}
	if (pos < n && (s[pos] == 'Z' || s[pos] == 'z')) {
		pos++;
	} else if (pos + 6 <= n && (s[pos] == '+' || s[pos] == '-') &&
	    digits(s + pos + 1, 2, &oh) == 0 && s[pos + 3] == ':' &&
	    digits(s + pos + 4, 2, &om) == 0) {
		off = (int64_t)(oh * 60 + om) * 60 * (s[pos] == '+' ? 1 : -1);
		pos += 6;
	} else
		return -1;
	if (pos != n)
		return -1;
	*us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    off) * 1000000) + frac;
	return 0;
}
