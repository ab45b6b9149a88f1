/*
 * pagedb.h: read what the status page shows from PostgreSQL: wm_latest and
 * the rollups for every site (cost grows with sites and days, never with raw
 * results), wm_events or wm_incidents for incidents, and the last failed
 * results of each site through the (url, probe, ts) index.
 */
#ifndef WEBMON_PAGEDB_H
#define WEBMON_PAGEDB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "page/page.h"

/*
 * Fill p from the database through c, and through c2 (a second connection
 * to the same database, or NULL) at the same time. The caller sets
 * p->title, p->group_tag and p->ndays first, and closes both connections.
 * Returns 0, or -1 with a message in err; p is then partly filled and
 * still to be freed with page_free().
 */
int pagedb_load(PGconn *c, PGconn *c2, struct page *p, char *err,
    size_t errsize);

#endif
