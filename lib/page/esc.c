/* esc.c: escaping for the status page's HTML, SVG and CSV, and file slugs. */
#include "page/esc.h"

#include <string.h>

#include "buf.h"
#include "utf8.h"
#include "util.h"

void
html_escn(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i, len;

	if (s == NULL)
		return;
	len = strlen(s);
	if (len > max)
		len = utf8_cut(s, len, max);
	for (i = 0; i < len; i += n) {
		n = 1;
		switch (p[i]) {
		case '&': buf_puts(b, "&amp;"); continue;
		case '<': buf_puts(b, "&lt;"); continue;
		case '>': buf_puts(b, "&gt;"); continue;
		case '"': buf_puts(b, "&quot;"); continue;
		case '\'': buf_puts(b, "&#39;"); continue;
		case '\t': case '\n': case '\r': buf_putc(b, ' '); continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			continue;
		if (p[i] < 0x80) {
			buf_putc(b, (char)p[i]);
			continue;
		}
		n = utf8_seqlen(p + i, len - i);
		if (n == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			n = 1;
		} else
			buf_append(b, p + i, n);
	}
}

void
html_esc(struct buf *b, const char *s)
{
	html_escn(b, s, (size_t)-1);
}

void
csv_field(struct buf *b, const char *s)
{
	const char *p;

	int formula;

	if (s == NULL)
		return;
	/* A spreadsheet runs a cell that starts like a formula: a site named
	 * "=HYPERLINK(...)" must stay text (OWASP's CSV injection advice). */
	formula = *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

char *
page_slug(const char *url)
{
	struct buf b = BUF_INIT;
	const char *p = strstr(url, "://");
	int dash = 0;

	for (p = p ? p + 3 : url; *p && b.len < 60; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && b.len > 0)
				buf_putc(&b, '-');
			buf_putc(&b, c);
			dash = 0;
		} else
			dash = 1;
	}
	if (b.len == 0)
		buf_puts(&b, "site");
	return buf_detach(&b, NULL);
}
