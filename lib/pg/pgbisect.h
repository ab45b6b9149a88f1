/*
 * pgbisect.h: find the rows of a batch the server refuses. Rows are sent
 * under a savepoint; on a row error the row a COPY error names is set
 * aside and the rows around it tried again, else the range is halved.
 */
#ifndef WEBMON_PGBISECT_H
#define WEBMON_PGBISECT_H

#include <stddef.h>

#include "pgcopy.h"

/*
 * Store rows idx[0..n) of b in the open transaction, setting err (owned by
 * the row) on each refused row. Returns PGS_OK when every other row is
 * written, else PGS_TEMP or PGS_PERM with a message in err.
 */
int pgbisect_store(struct pgsink *s, struct pgbatch *b, const size_t *idx,
    size_t n, char *err, size_t errsize);

#endif
