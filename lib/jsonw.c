/* jsonw.c: a small JSON writer. */
#include "jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

void
jsonw_init(struct jsonw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = 1;
}

/* Separator before a value that is an array element (keys handle their own). */
static void
sep(struct jsonw *w)
{
	if (w->depth == 0)
		return;
	if (w->first[w->depth])
		w->first[w->depth] = 0;
	else
		buf_putc(w->b, ',');
}

static void
push(struct jsonw *w, char c, int isarray)
{
	buf_putc(w->b, c);
	if (w->depth + 1 < JSONW_MAXDEPTH)
		w->depth++;
	w->first[w->depth] = 1 | (isarray ? 2 : 0);
}

static void
pop(struct jsonw *w, char c)
{
	buf_putc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

/* Values inside arrays need a separator; after a key they do not. */
static void
value_sep(struct jsonw *w)
{
	if (w->depth > 0 && (w->first[w->depth] & 2)) {
		if (w->first[w->depth] & 1)
			w->first[w->depth] &= ~1;
		else
			buf_putc(w->b, ',');
	}
}

void
jsonw_obj_begin(struct jsonw *w)
{
	value_sep(w);
	push(w, '{', 0);
}

void
jsonw_obj_end(struct jsonw *w)
{
	pop(w, '}');
}

void
jsonw_arr_begin(struct jsonw *w)
{
	value_sep(w);
	push(w, '[', 1);
}

void
jsonw_arr_end(struct jsonw *w)
{
	pop(w, ']');
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	sep(w);
	json_quote(w->b, key, strlen(key));
	buf_putc(w->b, ':');
}

void
json_quote(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	buf_grow(b, n + 2);
	buf_putc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t l;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			run++, i++;
			continue;
		}
		if (c >= 0x80 && (l = utf8_seqlen(p + i, n - i)) > 0) {
			run += l, i += l;
			continue;
		}
		buf_append(b, p + i - run, run);
		run = 0;
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		default:
			if (c < 0x20) {
				char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
				buf_puts(b, esc);
			} else {
				buf_puts(b, "\xef\xbf\xbd");	/* U+FFFD */
			}
		}
		i++;
	}
	buf_append(b, p + i - run, run);
	buf_putc(b, '"');
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	value_sep(w);
	if (s == NULL)
		buf_puts(w->b, "null");
	else
		json_quote(w->b, s, n);
}

void
jsonw_str(struct jsonw *w, const char *s)
{
	jsonw_strn(w, s, s ? strlen(s) : 0);
}

void
jsonw_null(struct jsonw *w)
{
	value_sep(w);
	buf_puts(w->b, "null");
}

void
jsonw_bool(struct jsonw *w, int v)
{
	value_sep(w);
	buf_puts(w->b, v ? "true" : "false");
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	value_sep(w);
	buf_printf(w->b, "%" PRId64, v);
}

void
jsonw_ms(struct jsonw *w, double ms)
{
	value_sep(w);
	if (ms < 0 || !isfinite(ms))
		buf_puts(w->b, "null");
	else
		buf_printf(w->b, "%.3f", ms);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t n)
{
	value_sep(w);
	buf_append(w->b, json, n);
}
