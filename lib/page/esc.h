/* esc.h: escaping for the status page's HTML, SVG and CSV, and file slugs. */
#ifndef WEBMON_PAGE_ESC_H
#define WEBMON_PAGE_ESC_H

#include "buf.h"

/*
 * Append s to b as HTML/XML text or attribute value: & < > " ' become
 * entities, control characters (not allowed in XML 1.0) are dropped and
 * invalid UTF-8 bytes become U+FFFD. NULL appends nothing.
 */
void html_esc(struct buf *b, const char *s);
/* The same for at most max bytes of s, cut at a character boundary. */
void html_escn(struct buf *b, const char *s, size_t max);
/*
 * Append s to b as one CSV field (RFC 4180): quoted, with quotes doubled,
 * when it holds a comma, quote, CR or LF. A field that a spreadsheet would
 * run as a formula (first byte = + - @ tab CR) is quoted with a ' before
 * it, so it stays text. NULL appends nothing.
 */
void csv_field(struct buf *b, const char *s);
/*
 * A file name for a url: lower-case letters, digits and '-' only, without
 * the scheme, at most 60 bytes, never empty. Returns a malloc'd string;
 * caller frees. Different urls can give one slug: the caller resolves that.
 */
char *page_slug(const char *url);

#endif
