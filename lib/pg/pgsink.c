/* pgsink.c: batches of COPY rows into PostgreSQL, with bad rows set aside. */
#include "pgsink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ROWERR 3		/* internal: a row of the statement was rejected */
#define STAGING "pg_temp.wm_pg_copy_staging"
#define CHUNK (256 * 1024)

void
pgsink_init(struct pgsink *s, const char *conninfo)
{
	memset(s, 0, sizeof(*s));
	s->conninfo = xstrdup(conninfo ? conninfo : "");
	s->hint = -1;
}

void
pgsink_free(struct pgsink *s)
{
	size_t i;

	if (s->conn)
		PQfinish(s->conn);
	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		free(s->cols[i].qname);
		free(s->cols[i].type);
	}
	free(s->cols);
	free(s->keycols);
	free(s->table);
	free(s->conninfo);
	memset(s, 0, sizeof(*s));
}

/* Copy msg into err without its trailing newlines. */
static void
seterr(char *err, size_t errsize, const char *prefix, const char *msg)
{
	size_t n;

	snprintf(err, errsize, "%s%s", prefix, msg ? msg : "unknown error");
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

static int
classify(const char *st)
{
	if (st == NULL || strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 ||
	    strncmp(st, "58", 2) == 0 || strncmp(st, "57P0", 4) == 0 ||
	    strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "57014") == 0 || strcmp(st, "55P03") == 0)
		return PGS_TEMP;
	if (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0 ||
	    strcmp(st, "54000") == 0)
		return ROWERR;
	return PGS_PERM;
}

/*
 * Check a result against the wanted status; on failure fill err (and, for a
 * row error, rowmsg and hint) and return PGS_TEMP, PGS_PERM or ROWERR.
 * Clears res.
 */
static int
check(struct pgsink *s, PGresult *res, ExecStatusType want, char *err, size_t errsize)
{
	const char *st, *msg, *ctx, *col, *p, *q;
	int r;

	if (res && PQresultStatus(res) == want) {
		PQclear(res);
		return PGS_OK;
	}
	if (res == NULL || PQstatus(s->conn) == CONNECTION_BAD) {
		seterr(err, errsize, "", PQerrorMessage(s->conn));
		PQclear(res);
		return PGS_TEMP;
	}
	st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	seterr(err, errsize, "", msg ? msg : PQresultErrorMessage(res));
	r = classify(st);
	if (r == PGS_TEMP && st == NULL && PQresultStatus(res) != PGRES_FATAL_ERROR)
		r = PGS_PERM;	/* an unexpected status, not a failure */
	if (r == ROWERR) {
		col = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
		if (col)
			snprintf(s->rowmsg, sizeof(s->rowmsg), "%s (column \"%s\")", err, col);
		else
			snprintf(s->rowmsg, sizeof(s->rowmsg), "%s", err);
		/* "COPY name, line N[, column c]: ...": the failing line. */
		s->hint = -1;
		ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
		if (ctx && strncmp(ctx, "COPY ", 5) == 0) {
			for (p = NULL, q = ctx; (q = strstr(q, ", line ")) != NULL; q++)
				p = q;
			if (p)
				s->hint = strtol(p + 7, NULL, 10);
		}
	}
	PQclear(res);
	return r;
}

static int
run(struct pgsink *s, const char *sql, char *err, size_t errsize)
{
	return check(s, PQexec(s->conn, sql), PGRES_COMMAND_OK, err, errsize);
}

/* A catalog query; on PGS_OK the caller clears *out. */
static int
query(struct pgsink *s, const char *sql, int np, const char *const *params,
    PGresult **out, char *err, size_t errsize)
{
	PGresult *res = PQexecParams(s->conn, sql, np, NULL, params, NULL, NULL, 0);
	int r;

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK) {
		*out = res;
		return PGS_OK;
	}
	r = check(s, res, PGRES_TUPLES_OK, err, errsize);
	return r == ROWERR ? PGS_PERM : r;
}

int
pgsink_connect(struct pgsink *s, char *err, size_t errsize)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { s->conninfo, "wm-pg-copy", NULL };

	if (s->conn)
		PQfinish(s->conn);
	s->staging = s->streaming = s->copy_open = 0;
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (s->conn == NULL) {
		seterr(err, errsize, "", "out of memory");
		return PGS_TEMP;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		seterr(err, errsize, "", PQerrorMessage(s->conn));
		return PGS_TEMP;
	}
	if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
		seterr(err, errsize, "set client encoding: ", PQerrorMessage(s->conn));
		return PGS_TEMP;
	}
	return PGS_OK;
}

static char *
quote_ident(struct pgsink *s, const char *name)
{
	char *q = PQescapeIdentifier(s->conn, name, strlen(name)), *r;

	if (q == NULL)
		return NULL;
	r = xstrdup(q);
	PQfreemem(q);
	return r;
}

/* Is name in the comma-separated list? */
static int
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && strncmp(p, name, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

int
pgsink_describe(struct pgsink *s, const char *table, const char *only,
    const char *key, char *err, size_t errsize)
{
	static const char q_rel[] =
	    "SELECT n.nspname, c.relname, has_table_privilege(c.oid, 'INSERT')"
	    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE c.oid = $1::regclass";
	static const char q_cols[] =
	    "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
	    " t.typname IN ('json', 'jsonb') OR"
	    "  t.typbasetype IN ('json'::regtype, 'jsonb'::regtype),"
	    " a.atthasdef OR a.attidentity <> ''"
	    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
	    " WHERE a.attrelid = $1::regclass AND a.attnum > 0"
	    " AND NOT a.attisdropped AND a.attgenerated = ''"
	    " ORDER BY a.attnum";
	static const char q_key[] =
	    "SELECT 1 FROM pg_index i WHERE i.indrelid = $1::regclass"
	    " AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL"
	    " AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text)"
	    "  FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)"
	    "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num"
	    "  WHERE k.ord <= i.indnkeyatts)"
	    " = (SELECT array_agg(x ORDER BY x) FROM unnest(string_to_array($2, ',')) x)"
	    " LIMIT 1";
	const char *params[2] = { table, key };
	PGresult *res;
	char *qs, *qt;
	size_t i, n, k;
	int r;

	if ((r = query(s, q_rel, 1, params, &res, err, errsize)) != PGS_OK)
		return r;
	qs = quote_ident(s, PQgetvalue(res, 0, 0));
	qt = quote_ident(s, PQgetvalue(res, 0, 1));
	if (qs == NULL || qt == NULL) {
		seterr(err, errsize, "", PQerrorMessage(s->conn));
		PQclear(res);
		free(qs);
		free(qt);
		return PGS_PERM;
	}
	free(s->table);
	s->table = xmalloc(strlen(qs) + strlen(qt) + 2);
	sprintf(s->table, "%s.%s", qs, qt);
	free(qs);
	free(qt);
	if (strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
		PQclear(res);
		snprintf(err, errsize, "permission denied to insert into %s", s->table);
		return PGS_PERM;
	}
	PQclear(res);

	if ((r = query(s, q_cols, 1, params, &res, err, errsize)) != PGS_OK)
		return r;
	n = (size_t)PQntuples(res);
	s->cols = xcalloc(n ? n : 1, sizeof(*s->cols));
	for (i = 0, s->ncols = 0; i < n; i++) {
		struct pgcol *c = &s->cols[s->ncols];

		if (only && !in_list(only, PQgetvalue(res, (int)i, 0)))
			continue;
		c->name = xstrdup(PQgetvalue(res, (int)i, 0));
		c->qname = quote_ident(s, c->name);
		c->type = xstrdup(PQgetvalue(res, (int)i, 1));
		c->is_json = strcmp(PQgetvalue(res, (int)i, 2), "t") == 0;
		c->has_default = strcmp(PQgetvalue(res, (int)i, 3), "t") == 0;
		if (c->qname == NULL)
			c->qname = xstrdup("\"?\"");
		s->ncols++;
	}
	PQclear(res);
	if (s->ncols == 0) {
		snprintf(err, errsize, "%s: no %scolumns to write", s->table,
		    only ? "such " : "");
		return PGS_PERM;
	}
	if (only) {
		/* Every listed name must be a column. */
		const char *p = only;

		while (*p) {
			const char *e = strchr(p, ',');
			size_t l = e ? (size_t)(e - p) : strlen(p);

			for (i = 0; i < s->ncols; i++)
				if (strlen(s->cols[i].name) == l &&
				    strncmp(s->cols[i].name, p, l) == 0)
					break;
			if (i == s->ncols) {
				snprintf(err, errsize, "%s: no column \"%.*s\"",
				    s->table, (int)l, p);
				return PGS_PERM;
			}
			p = e ? e + 1 : p + l;
		}
	}
	if (key == NULL)
		return PGS_OK;

	for (n = 1, qs = (char *)key; (qs = strchr(qs, ',')) != NULL; qs++)
		n++;
	s->keycols = xcalloc(n, sizeof(*s->keycols));
	for (k = 0, qs = (char *)key; k < n; k++) {
		const char *e = strchr(qs, ',');
		size_t l = e ? (size_t)(e - qs) : strlen(qs);

		for (i = 0; i < s->ncols; i++)
			if (strlen(s->cols[i].name) == l && strncmp(s->cols[i].name, qs, l) == 0)
				break;
		if (i == s->ncols) {
			snprintf(err, errsize, "--key: %s: no column \"%.*s\"%s",
			    s->table, (int)l, qs, only ? " among --columns" : "");
			return PGS_PERM;
		}
		s->keycols[k] = (int)i;
		qs = e ? (char *)e + 1 : qs + l;
	}
	s->nkey = n;
	if ((r = query(s, q_key, 2, params, &res, err, errsize)) != PGS_OK)
		return r;
	n = (size_t)PQntuples(res);
	PQclear(res);
	if (n == 0) {
		snprintf(err, errsize, "--key %s: %s has no unique index (or primary"
		    " key) on exactly these columns", key, s->table);
		return PGS_PERM;
	}
	return PGS_OK;
}

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

/* Append "a, b, ..." (in parentheses with paren) for the columns not left to their default. */
static size_t
put_cols(struct pgsink *s, struct buf *q, uint64_t absent, int paren)
{
	size_t i, n = 0;
	int bit = 0;

	for (i = 0; i < s->ncols; i++) {
		int d = s->cols[i].has_default ? bit++ : -1;

		if (d >= 0 && d < 64 && (absent >> d & 1))
			continue;
		buf_puts(q, n++ ? ", " : paren ? "(" : "");
		buf_puts(q, s->cols[i].qname);
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
	for (k = 0; k < s->nkey; k++) {
		if (k)
			buf_puts(q, ", ");
		buf_puts(q, s->cols[s->keycols[k]].qname);
	}
	buf_puts(q, ") DO NOTHING");
}

static int
ensure_staging(struct pgsink *s, char *err, size_t errsize)
{
	struct buf q = BUF_INIT;
	int r;

	if (s->nkey == 0 || s->staging)
		return PGS_OK;
	buf_puts(&q, "CREATE TEMP TABLE wm_pg_copy_staging ON COMMIT DELETE ROWS AS SELECT ");
	put_cols(s, &q, 0, 0);
	buf_printf(&q, " FROM %s WITH NO DATA", s->table);
	r = run(s, q.data, err, errsize);
	buf_free(&q);
	if (r == ROWERR)
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

	buf_printf(&q, "COPY %s ", s->nkey && !direct ? STAGING : s->table);
	put_cols(s, &q, absent, 1);
	buf_puts(&q, " FROM STDIN");
	r = check(s, PQexec(s->conn, q.data), PGRES_COPY_IN, err, errsize);
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
		seterr(err, errsize, "", PQerrorMessage(s->conn));
		return PGS_TEMP;
	}
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		*count = strtoull(PQcmdTuples(res), NULL, 10);
	r = check(s, res, PGRES_COMMAND_OK, err, errsize);
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
		    s->table, ndefault);
	} else {
		put_cols(s, &cols, absent, 0);
		if (clear)
			buf_printf(&q, "WITH d AS (DELETE FROM " STAGING " RETURNING %s)"
			    " INSERT INTO %s (%s) SELECT %s FROM d",
			    cols.data, s->table, cols.data, cols.data);
		else
			buf_printf(&q, "INSERT INTO %s (%s) SELECT %s FROM " STAGING,
			    s->table, cols.data, cols.data);
	}
	if (s->nkey)
		put_conflict(s, &q);
	res = PQexec(s->conn, q.data);
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		*count = strtoull(PQcmdTuples(res), NULL, 10);
	r = check(s, res, PGRES_COMMAND_OK, err, errsize);
	buf_free(&q);
	buf_free(&cols);
	return r;
}

static size_t
ncols_for(struct pgsink *s, uint64_t absent)
{
	struct buf q = BUF_INIT;
	size_t n = put_cols(s, &q, absent, 0);

	buf_free(&q);
	return n;
}

/*
 * Write rows idx[0..n) in the open transaction, one COPY per absent mask.
 * On a row error *bad is the failing row when the server said which.
 */
static int
send_rows(struct pgsink *s, struct pgbatch *b, const size_t *idx, size_t n,
    long *bad, char *err, size_t errsize)
{
	struct buf chunk = BUF_INIT;
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
		if (ncols_for(s, absent) == 0) {
			r = insert_staged(s, absent, 0, g, &count, err, errsize);
		} else {
			if ((r = copy_begin(s, absent, 0, err, errsize)) != PGS_OK)
				break;
			buf_reset(&chunk);
			for (j = 0; j < g && r == PGS_OK; j++) {
				const struct pgrow *row = &b->rows[grp[j]];

				buf_append(&chunk, b->copy.data + row->copy_off, row->copy_len);
				if (chunk.len >= CHUNK || j + 1 == g) {
					/* On failure copy_end() says why. */
					if (PQputCopyData(s->conn, chunk.data, (int)chunk.len) != 1)
						j = g;
					buf_reset(&chunk);
				}
			}
			s->hint = -1;
			r = copy_end(s, &count, err, errsize);
			if (r == ROWERR && s->hint >= 1 && (size_t)s->hint <= g)
				*bad = (long)grp[s->hint - 1];
			if (r == PGS_OK && s->nkey)
				r = insert_staged(s, absent, 1, 0, &count, err, errsize);
		}
		if (r == PGS_OK) {
			s->pending += count;
			if (s->nkey)
				s->pending_dups += g - count;
		}
	}
	buf_free(&chunk);
	free(grp);
	free(done);
	return r;
}

/*
 * Store rows idx[0..n) under savepoints, setting aside the rows the server
 * rejects: the one a COPY error names, else by halving the range.
 */
static int
attempt(struct pgsink *s, struct pgbatch *b, const size_t *idx, size_t n,
    char *err, size_t errsize)
{
	unsigned long long pend, dups;
	size_t p;
	long bad;
	int r;

	while (n > 0) {
		pend = s->pending;
		dups = s->pending_dups;
		if ((r = run(s, "SAVEPOINT wm_pg_copy", err, errsize)) != PGS_OK)
			return r == ROWERR ? PGS_PERM : r;
		r = send_rows(s, b, idx, n, &bad, err, errsize);
		if (r == PGS_OK)
			return run(s, "RELEASE SAVEPOINT wm_pg_copy", err, errsize);
		if (r != ROWERR)
			return r;
		s->pending = pend;
		s->pending_dups = dups;
		r = run(s, "ROLLBACK TO SAVEPOINT wm_pg_copy; RELEASE SAVEPOINT wm_pg_copy",
		    err, errsize);
		if (r != PGS_OK)
			return r == ROWERR ? PGS_PERM : r;
		if (n == 1) {
			b->rows[idx[0]].err = xstrdup(s->rowmsg);
			return PGS_OK;
		}
		if (bad >= 0) {
			for (p = 0; p < n && idx[p] != (size_t)bad; p++)
				;
			if (p < n) {
				b->rows[bad].err = xstrdup(s->rowmsg);
				if ((r = attempt(s, b, idx, p, err, errsize)) != PGS_OK)
					return r;
				idx += p + 1;
				n -= p + 1;
				continue;
			}
		}
		p = n / 2;
		if ((r = attempt(s, b, idx, p, err, errsize)) != PGS_OK)
			return r;
		idx += p;
		n -= p;
	}
	return PGS_OK;
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

int
pgsink_flush(struct pgsink *s, struct pgbatch *b, char *err, size_t errsize)
{
	unsigned long long count = 0;
	size_t *idx, i, n;
	int r;

	s->pending = s->pending_dups = 0;
	if (b->n == 0) {
		s->streaming = 0;
		return PGS_OK;
	}
	if (s->streaming == 1) {
		/* The fast path: finish the streamed COPY, add the rest, commit. */
		idx = xreallocarray(NULL, b->n, sizeof(*idx));
		for (i = n = 0; i < b->n; i++)
			if (!b->rows[i].streamed)
				idx[n++] = i;
		s->hint = -1;
		r = copy_end(s, &count, err, errsize);
		if (r == PGS_OK) {
			s->pending += count;
			r = attempt(s, b, idx, n, err, errsize);
		}
		free(idx);
		if (r == PGS_OK)
			r = run(s, "COMMIT", err, errsize);
		if (r == PGS_OK) {
			finish(s, b);
			return PGS_OK;
		}
		if (r != ROWERR) {
			s->streaming = 0;
			return r;
		}
		for (i = 0; i < b->n; i++) {
			free(b->rows[i].err);
			b->rows[i].err = NULL;
		}
	}
	/* The careful path: the whole batch again, bad rows found one by one. */
	s->streaming = 0;
	s->pending = s->pending_dups = 0;
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
		seterr(err, errsize, "", s->conn ? PQerrorMessage(s->conn) : "not connected");
		return PGS_TEMP;
	}
	copy_abort(s);
	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE &&
	    (r = run(s, "ROLLBACK", err, errsize)) != PGS_OK)
		return r == ROWERR ? PGS_PERM : r;
	for (i = 0; i < b->n; i++) {
		free(b->rows[i].err);
		b->rows[i].err = NULL;
	}
	if ((r = ensure_staging(s, err, errsize)) != PGS_OK)
		return r;
	if ((r = run(s, "BEGIN", err, errsize)) != PGS_OK)
		return r == ROWERR ? PGS_PERM : r;
	idx = xreallocarray(NULL, b->n, sizeof(*idx));
	for (i = 0; i < b->n; i++)
		idx[i] = i;
	r = attempt(s, b, idx, b->n, err, errsize);
	free(idx);
	if (r == PGS_OK)
		r = run(s, "COMMIT", err, errsize);
	if (r == ROWERR)
		r = PGS_PERM;	/* e.g. a deferred constraint: no row to blame */
	if (r == PGS_OK)
		finish(s, b);
	return r;
}
