/* render.h: pieces shared by the status page's writers (lib/page only). */
#ifndef WEBMON_PAGE_RENDER_H
#define WEBMON_PAGE_RENDER_H

#include <stdint.h>

#include "buf.h"
#include "page/page.h"

/* The stylesheet every page inlines. */
extern const char page_css[];

/* CSS class of a state: "up", "degraded", "down", "nodata". */
const char *page_state_class(enum pstate s);
/* "2026-11-30 05:40 UTC" (or "2026-11-30" with date_only) into out. */
void page_time(char *out, size_t size, int64_t t, int date_only);
/* A duration of seconds as "3 d 4 h", "2 h 5 min", "40 s" into out. */
void page_duration(char *out, size_t size, int64_t secs);
/* <!DOCTYPE html> up to <body>, with title and the stylesheet. */
void page_head(struct buf *b, const char *title, const char *heading);
/* The state as a coloured pill with its name in words. */
void page_pill(struct buf *b, enum pstate s, int probes, int bad);
/* The daily uptime bars of a site, then their text alternative. */
void page_bars(struct buf *b, const struct page *p, const struct psite *s);

#endif
