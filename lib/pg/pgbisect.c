/* pgbisect.c: set aside the rows of a batch the server refuses. */
#include "pgbisect.h"

#include <string.h>

#include "util.h"

static int
run(struct pgsink *s, const char *sql, char *err, size_t errsize)
{
	int r = pgexec_run(s->conn, sql, NULL, err, errsize);

	return r == PGS_ROWERR ? PGS_PERM : r;
}

int
pgbisect_store(struct pgsink *s, struct pgbatch *b, const size_t *idx,
    size_t n, char *err, size_t errsize)
{
	unsigned long long pend, dups;
	size_t p;
	long bad;
	int r;

	while (n > 0) {
		pend = s->pending;
		dups = s->pending_dups;
		if ((r = run(s, "SAVEPOINT wm_pg_copy", err, errsize)) != PGS_OK)
			return r;
		r = pgcopy_send(s, b, idx, n, &bad, err, errsize);
		if (r == PGS_OK)
			return pgexec_run(s->conn, "RELEASE SAVEPOINT wm_pg_copy",
			    NULL, err, errsize);
		if (r != PGS_ROWERR)
			return r;
		s->pending = pend;
		s->pending_dups = dups;
		r = run(s, "ROLLBACK TO SAVEPOINT wm_pg_copy; RELEASE SAVEPOINT wm_pg_copy",
		    err, errsize);
		if (r != PGS_OK)
			return r;
		if (n == 1) {
			b->rows[idx[0]].err = xstrdup(s->rowerr.msg);
			return PGS_OK;
		}
		if (bad >= 0) {
			for (p = 0; p < n && idx[p] != (size_t)bad; p++)
				;
			if (p < n) {
				b->rows[bad].err = xstrdup(s->rowerr.msg);
				if ((r = pgbisect_store(s, b, idx, p, err, errsize)) != PGS_OK)
					return r;
				idx += p + 1;
				n -= p + 1;
				continue;
			}
		}
		p = n / 2;
		if ((r = pgbisect_store(s, b, idx, p, err, errsize)) != PGS_OK)
			return r;
		idx += p;
		n -= p;
	}
	return PGS_OK;
}
