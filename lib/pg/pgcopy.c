/* pgcopy.c: batches of COPY rows into the sink's table, streamed. */
#include "pgcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgbisect.h"
#include "util.h"

#define STAGING "pg_temp.wm_pg_copy_staging"
#define CHUNK (256 * 1024)

void
pgbatch_add(struct pgbatch *b, const char *copy, size_t copylen,
    const char *line, size_t linelen, unsigned long lineno, uint64_t absent)
{
	struct pgrow *r;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->rows = xreallocarray(b->rows, b->cap, sizeof(*b->rows));
	}
	r = &b->rows[b->n++];
	r->copy_off = b->copy.len;
	r->copy_len = copylen;
	buf_append(&b->copy, copy, copylen);
	r->in_off = b->input.len;
	r->in_len = linelen;
	buf_append(&b->input, line, linelen);
	r->lineno = lineno;
	r->absent = absent;
	r->err = NULL;
	r->streamed = 0;
}

void
pgbatch_reset(struct pgbatch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->rows[i].err);
	b->n = 0;
	buf_reset(&b->copy);
	buf_reset(&b->input);
}

void
pgbatch_free(struct pgbatch *b)
{
	pgbatch_reset(b);
	free(b->rows);
	buf_free(&b->copy);
	buf_free(&b->input);
	memset(b, 0, sizeof(*b));
}

static void
clear_errs(struct pgbatch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->rows[i].err);
		b->rows[i].err = NULL;
	}
}

/* A statement of the sink; a row error is remembered in s->rowerr. */
static int
run(struct pgsink *s, const char *sql, char *err, size_t errsize)
{
	return pgexec_run(s->conn, sql, &s->rowerr, err, errsize);
}

/* Append "a, b, ..." (in parentheses with paren) for the columns not left to their default. */
static size_t
put_cols(struct pgsink *s, struct buf *q, uint64_t absent, int paren)
{
	size_t i, n = 0;
	int bit = 0;

	for (i = 0; i < s->tab.ncols; i++) {
		int d = s->tab.cols[i].has_default ? bit++ : -1;

		if (d >= 0 && d < 64 && (absent >> d & 1))
			continue;
		buf_puts(q, n++ ? ", " : paren ? "(" : "");
		buf_puts(q, s->tab.cols[i].qname);
	}
	if (n && paren)
		buf_putc(q, ')');
	return n;
}

static void
put_conflict(struct pgsink *s, struct buf *q)
{
	size_t k;

	buf_puts(q, " ON CONFLICT (");
	for (k = 0; k < s->tab.nkey; k++) {
		if (k)
			buf_puts(q, ", ");
		buf_puts(q, s->tab.cols[s->tab.keycols[k]].qname);
	}
	buf_puts(q, ") DO NOTHING");
}

static size_t
ncols_for(struct pgsink *s, uint64_t absent)
{
	struct buf q = BUF_INIT;
	size_t n = put_cols(s, &q, absent, 0);

	buf_free(&q);
	return n;
}

static int
ensure_staging(struct pgsink *s, char *err, size_t errsize)
{
	struct buf q = BUF_INIT;
	int r;

	if (s->tab.nkey == 0 || s->staging)
		return PGS_OK;
	buf_puts(&q, "CREATE TEMP TABLE wm_pg_copy_staging ON COMMIT DELETE ROWS AS SELECT ");
	put_cols(s, &q, 0, 0);
	buf_printf(&q, " FROM %s WITH NO DATA", s->tab.name);
	r = run(s, q.data, err, errsize);
	buf_free(&q);
	if (r == PGS_ROWERR)
		r = PGS_PERM;
	if (r == PGS_OK)
		s->staging = 1;
	return r;
}

/*
 * Start "COPY target (cols) FROM STDIN", into the staging table with --key
 * unless direct; 0 columns is the caller's case.
 */
static int
copy_begin(struct pgsink *s, uint64_t absent, int direct, char *err, size_t errsize)
{
	struct buf q = BUF_INIT;
	int r;

	buf_printf(&q, "COPY %s ", s->tab.nkey && !direct ? STAGING : s->tab.name);
	put_cols(s, &q, absent, 1);
	buf_puts(&q, " FROM STDIN");
	r = pgexec_check(s->conn, PQexec(s->conn, q.data), PGRES_COPY_IN,
	    &s->rowerr, err, errsize);
	buf_free(&q);
	if (r == PGS_OK)
		s->copy_open = 1;
	return r;
}

static int
copy_end(struct pgsink *s, unsigned long long *count, char *err, size_t errsize)
{
	PGresult *res;
	int r;

	s->copy_open = 0;
	/* This fails when the server has already ended the COPY with an error. */
	(void)PQputCopyEnd(s->conn, NULL);
	res = PQgetResult(s->conn);
	if (res && PQresultStatus(res) == PGRES_COPY_IN) {
		PQclear(res);
		pgconn_msg(err, errsize, "", PQerrorMessage(s->conn));
		return PGS_TEMP;
	}
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		*count = strtoull(PQcmdTuples(res), NULL, 10);
	r = pgexec_check(s->conn, res, PGRES_COMMAND_OK, &s->rowerr, err, errsize);
	while ((res = PQgetResult(s->conn)) != NULL)
		PQclear(res);
	return r;
}

/* Abandon an open COPY, e.g. after a broken stream. */
static void
copy_abort(struct pgsink *s)
{
	PGresult *res;

	if (!s->copy_open)
		return;
	s->copy_open = 0;
	(void)PQputCopyEnd(s->conn, "abandoned");
	while ((res = PQgetResult(s->conn)) != NULL) {
		int copyin = PQresultStatus(res) == PGRES_COPY_IN;

		PQclear(res);
		if (copyin)
			break;
	}
}

/*
 * Move the staged rows (columns of the absent mask) into the table, or with
 * ndefault > 0 insert that many rows made only of defaults.
 */
static int
insert_staged(struct pgsink *s, uint64_t absent, int clear, size_t ndefault,
    unsigned long long *count, char *err, size_t errsize)
{
	struct buf q = BUF_INIT, cols = BUF_INIT;
	PGresult *res;
	int r;

	if (ndefault > 0) {
		buf_printf(&q, "INSERT INTO %s SELECT FROM generate_series(1, %zu)",
		    s->tab.name, ndefault);
	} else {
		put_cols(s, &cols, absent, 0);
		if (clear)
			buf_printf(&q, "WITH d AS (DELETE FROM " STAGING " RETURNING %s)"
			    " INSERT INTO %s (%s) SELECT %s FROM d",
			    cols.data, s->tab.name, cols.data, cols.data);
		else
			buf_printf(&q, "INSERT INTO %s (%s) SELECT %s FROM " STAGING,
			    s->tab.name, cols.data, cols.data);
	}
	if (s->tab.nkey)
		put_conflict(s, &q);
	res = PQexec(s->conn, q.data);
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		*count = strtoull(PQcmdTuples(res), NULL, 10);
	r = pgexec_check(s->conn, res, PGRES_COMMAND_OK, &s->rowerr, err, errsize);
	buf_free(&q);
	buf_free(&cols);
	return r;
}

/* COPY rows grp[0..g) of one absent mask; *bad as pgcopy_send(). */
static int
send_group(struct pgsink *s, struct pgbatch *b, const size_t *grp, size_t g,
    uint64_t absent, unsigned long long *count, long *bad, char *err,
    size_t errsize)
{
	struct buf chunk = BUF_INIT;
	size_t j;
	int r;

	if (ncols_for(s, absent) == 0)
		return insert_staged(s, absent, 0, g, count, err, errsize);
	if ((r = copy_begin(s, absent, 0, err, errsize)) != PGS_OK)
		return r;
	for (j = 0; j < g; j++) {
		const struct pgrow *row = &b->rows[grp[j]];

		buf_append(&chunk, b->copy.data + row->copy_off, row->copy_len);
		if (chunk.len >= CHUNK || j + 1 == g) {
			/* On failure copy_end() says why. */
			if (PQputCopyData(s->conn, chunk.data, (int)chunk.len) != 1)
				break;
			buf_reset(&chunk);
		}
	}
	buf_free(&chunk);
	s->rowerr.line = -1;
	r = copy_end(s, count, err, errsize);
	if (r == PGS_ROWERR && s->rowerr.line >= 1 && (size_t)s->rowerr.line <= g)
		*bad = (long)grp[s->rowerr.line - 1];
	if (r == PGS_OK && s->tab.nkey)
		r = insert_staged(s, absent, 1, 0, count, err, errsize);
	return r;
}

int
pgcopy_send(struct pgsink *s, struct pgbatch *b, const size_t *idx, size_t n,
    long *bad, char *err, size_t errsize)
{
	size_t *grp = xreallocarray(NULL, n ? n : 1, sizeof(*grp));
	unsigned char *done = xcalloc(n ? n : 1, 1);
	unsigned long long count;
	size_t i, j, g;
	int r = PGS_OK;

	*bad = -1;
	for (i = 0; i < n && r == PGS_OK; i++) {
		uint64_t absent;

		if (done[i])
			continue;
		absent = b->rows[idx[i]].absent;
		for (j = i, g = 0; j < n; j++)
			if (!done[j] && b->rows[idx[j]].absent == absent) {
				grp[g++] = idx[j];
				done[j] = 1;
			}
		count = 0;
		r = send_group(s, b, grp, g, absent, &count, bad, err, errsize);
		if (r == PGS_OK) {
			s->pending += count;
			if (s->tab.nkey)
				s->pending_dups += g - count;
		}
	}
	free(grp);
	free(done);
	return r;
}

/*
 * The streamed COPY goes straight into the table even with --key: in the
 * usual case no key exists yet and this is as fast as without --key. A
 * duplicate key fails the COPY (unique violation) and the batch is written
 * again through the staging table by the careful path.
 */
void
pgsink_stream(struct pgsink *s, struct pgbatch *b)
{
	const struct pgrow *row = &b->rows[b->n - 1];
	char err[256];

	if (s->streaming < 0)
		return;
	if (s->streaming == 0) {
		if (b->n != 1 || s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK ||
		    ncols_for(s, row->absent) == 0 ||
		    ensure_staging(s, err, sizeof(err)) != PGS_OK ||
		    run(s, "BEGIN", err, sizeof(err)) != PGS_OK ||
		    copy_begin(s, row->absent, 1, err, sizeof(err)) != PGS_OK) {
			s->streaming = -1;
			return;
		}
		s->streaming = 1;
		s->stream_absent = row->absent;
	}
	if (row->absent != s->stream_absent)
		return;
	if (PQputCopyData(s->conn, b->copy.data + row->copy_off, (int)row->copy_len) != 1) {
		s->streaming = -1;
		return;
	}
	b->rows[b->n - 1].streamed = 1;
}

static void
finish(struct pgsink *s, struct pgbatch *b)
{
	size_t i;

	s->stored += s->pending;
	s->duplicates += s->pending_dups;
	for (i = 0; i < b->n; i++)
		if (b->rows[i].err)
			s->rejected++;
	s->batches++;
	s->streaming = 0;
}

/* The fast path: finish the streamed COPY, add the rest, commit. */
static int
flush_streamed(struct pgsink *s, struct pgbatch *b, char *err, size_t errsize)
{
	unsigned long long count = 0;
	size_t *idx, i, n;
	int r;

	idx = xreallocarray(NULL, b->n, sizeof(*idx));
	for (i = n = 0; i < b->n; i++)
		if (!b->rows[i].streamed)
			idx[n++] = i;
	s->rowerr.line = -1;
	r = copy_end(s, &count, err, errsize);
	if (r == PGS_OK) {
		s->pending += count;
		r = pgbisect_store(s, b, idx, n, err, errsize);
	}
	free(idx);
	if (r == PGS_OK)
		r = run(s, "COMMIT", err, errsize);
	return r;
}

int
pgsink_flush(struct pgsink *s, struct pgbatch *b, char *err, size_t errsize)
{
	size_t *idx, i;
	int r;

	s->pending = s->pending_dups = 0;
	if (b->n == 0) {
		s->streaming = 0;
		return PGS_OK;
	}
	if (s->streaming == 1) {
		r = flush_streamed(s, b, err, errsize);
		if (r == PGS_OK) {
			finish(s, b);
			return PGS_OK;
		}
		if (r != PGS_ROWERR) {
			s->streaming = 0;
			return r;
		}
		clear_errs(b);
	}
	/* The careful path: the whole batch again, bad rows found one by one. */
	s->streaming = 0;
	s->pending = s->pending_dups = 0;
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
		pgconn_msg(err, errsize, "", s->conn ? PQerrorMessage(s->conn) : "not connected");
		return PGS_TEMP;
	}
	copy_abort(s);
	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE &&
	    (r = run(s, "ROLLBACK", err, errsize)) != PGS_OK)
		return r == PGS_ROWERR ? PGS_PERM : r;
	clear_errs(b);
	if ((r = ensure_staging(s, err, errsize)) != PGS_OK)
		return r;
	if ((r = run(s, "BEGIN", err, errsize)) != PGS_OK)
		return r == PGS_ROWERR ? PGS_PERM : r;
	idx = xreallocarray(NULL, b->n, sizeof(*idx));
	for (i = 0; i < b->n; i++)
		idx[i] = i;
	r = pgbisect_store(s, b, idx, b->n, err, errsize);
	free(idx);
	if (r == PGS_OK)
		r = run(s, "COMMIT", err, errsize);
	if (r == PGS_ROWERR)
		r = PGS_PERM;	/* e.g. a deferred constraint: no row to blame */
	if (r == PGS_OK)
		finish(s, b);
	return r;
}
