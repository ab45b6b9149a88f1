/* pgtable.c: read the target table's columns and key from the catalog. */
#include "pgtable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgconn.h"
#include "pgexec.h"
#include "util.h"

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

void
pgtable_free(struct pgtable *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].qname);
		free(t->cols[i].type);
	}
	free(t->cols);
	free(t->keycols);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

void
pgtable_copyrow(const struct pgtable *t, struct copyrow *cr, int strict)
{
	struct copycol *cc = xcalloc(t->ncols, sizeof(*cc));
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		cc[i].name = t->cols[i].name;
		cc[i].is_json = t->cols[i].is_json;
		cc[i].defbit = t->cols[i].has_default ? 0 : -1;
	}
	copyrow_init(cr, cc, t->ncols, strict);
	free(cc);
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

/* The index in t->cols of the column named p[0..l), or -1. */
static long
find_col(const struct pgtable *t, const char *p, size_t l)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strlen(t->cols[i].name) == l && strncmp(t->cols[i].name, p, l) == 0)
			return (long)i;
	return -1;
}

/* Set t->name from the catalog, if INSERT is allowed. */
static int
describe_rel(struct pgtable *t, PGconn *conn, const char *const *params,
    char *err, size_t errsize)
{
	PGresult *res;
	char *qs, *qt;
	int r;

	if ((r = pgexec_query(conn, q_rel, 1, params, &res, err, errsize)) != PGS_OK)
		return r;
	qs = pgexec_quote(conn, PQgetvalue(res, 0, 0));
	qt = pgexec_quote(conn, PQgetvalue(res, 0, 1));
	if (qs == NULL || qt == NULL) {
		pgconn_msg(err, errsize, "", PQerrorMessage(conn));
		PQclear(res);
		free(qs);
		free(qt);
		return PGS_PERM;
	}
	t->name = xmalloc(strlen(qs) + strlen(qt) + 2);
	sprintf(t->name, "%s.%s", qs, qt);
	free(qs);
	free(qt);
	r = strcmp(PQgetvalue(res, 0, 2), "t") == 0 ? PGS_OK : PGS_PERM;
	PQclear(res);
	if (r != PGS_OK)
		snprintf(err, errsize, "permission denied to insert into %s", t->name);
	return r;
}

/* Read the columns, keeping those in only; every listed name must be one. */
static int
describe_cols(struct pgtable *t, PGconn *conn, const char *const *params,
    const char *only, char *err, size_t errsize)
{
	PGresult *res;
	const char *p;
	size_t i, n;
	int r;

	if ((r = pgexec_query(conn, q_cols, 1, params, &res, err, errsize)) != PGS_OK)
		return r;
	n = (size_t)PQntuples(res);
	t->cols = xcalloc(n ? n : 1, sizeof(*t->cols));
	for (i = 0, t->ncols = 0; i < n; i++) {
		struct pgcol *c = &t->cols[t->ncols];

		if (only && !in_list(only, PQgetvalue(res, (int)i, 0)))
			continue;
		c->name = xstrdup(PQgetvalue(res, (int)i, 0));
		c->qname = pgexec_quote(conn, c->name);
		c->type = xstrdup(PQgetvalue(res, (int)i, 1));
		c->is_json = strcmp(PQgetvalue(res, (int)i, 2), "t") == 0;
		c->has_default = strcmp(PQgetvalue(res, (int)i, 3), "t") == 0;
		if (c->qname == NULL)
			c->qname = xstrdup("\"?\"");
		t->ncols++;
	}
	PQclear(res);
	if (t->ncols == 0) {
		snprintf(err, errsize, "%s: no %scolumns to write", t->name,
		    only ? "such " : "");
		return PGS_PERM;
	}
	for (p = only; p && *p; ) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (find_col(t, p, l) < 0) {
			snprintf(err, errsize, "%s: no column \"%.*s\"",
			    t->name, (int)l, p);
			return PGS_PERM;
		}
		p = e ? e + 1 : p + l;
	}
	return PGS_OK;
}

/* Map the key's columns and check that a unique index covers exactly them. */
static int
describe_key(struct pgtable *t, PGconn *conn, const char *const *params,
    const char *key, int only, char *err, size_t errsize)
{
	PGresult *res;
	const char *p;
	size_t k, n;
	long i;
	int r;

	for (n = 1, p = key; (p = strchr(p, ',')) != NULL; p++)
		n++;
	t->keycols = xcalloc(n, sizeof(*t->keycols));
	for (k = 0, p = key; k < n; k++) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if ((i = find_col(t, p, l)) < 0) {
			snprintf(err, errsize, "--key: %s: no column \"%.*s\"%s",
			    t->name, (int)l, p, only ? " among --columns" : "");
			return PGS_PERM;
		}
		t->keycols[k] = (int)i;
		p = e ? e + 1 : p + l;
	}
	t->nkey = n;
	if ((r = pgexec_query(conn, q_key, 2, params, &res, err, errsize)) != PGS_OK)
		return r;
	n = (size_t)PQntuples(res);
	PQclear(res);
	if (n == 0) {
		snprintf(err, errsize, "--key %s: %s has no unique index (or primary"
		    " key) on exactly these columns", key, t->name);
		return PGS_PERM;
	}
	return PGS_OK;
}

int
pgtable_describe(struct pgtable *t, PGconn *conn, const char *table,
    const char *only, const char *key, char *err, size_t errsize)
{
	const char *params[2] = { table, key };
	int r;

	if ((r = describe_rel(t, conn, params, err, errsize)) != PGS_OK ||
	    (r = describe_cols(t, conn, params, only, err, errsize)) != PGS_OK)
		return r;
	return key ? describe_key(t, conn, params, key, only != NULL, err, errsize) : PGS_OK;
}
