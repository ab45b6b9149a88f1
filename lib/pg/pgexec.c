/* pgexec.c: run the sink's statements and classify their failures. */
#include "pgexec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgconn.h"
#include "util.h"

int
pgexec_classify(const char *st)
{
	if (st == NULL || strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 ||
	    strncmp(st, "58", 2) == 0 || strncmp(st, "57P0", 4) == 0 ||
	    strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "57014") == 0 || strcmp(st, "55P03") == 0)
		return PGS_TEMP;
	if (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0 ||
	    strcmp(st, "54000") == 0)
		return PGS_ROWERR;
	return PGS_PERM;
}

/* "COPY name, line N[, column c]: ...": the failing line, or -1. */
static long
copy_line(const char *ctx)
{
	const char *p, *q;

	if (ctx == NULL || strncmp(ctx, "COPY ", 5) != 0)
		return -1;
	for (p = NULL, q = ctx; (q = strstr(q, ", line ")) != NULL; q++)
		p = q;
	return p ? strtol(p + 7, NULL, 10) : -1;
}

int
pgexec_check(PGconn *conn, PGresult *res, ExecStatusType want,
    struct pgrowerr *re, char *err, size_t errsize)
{
	const char *st, *msg, *col;
	int r;

	if (res && PQresultStatus(res) == want) {
		PQclear(res);
		return PGS_OK;
	}
	if (res == NULL || PQstatus(conn) == CONNECTION_BAD) {
		pgconn_msg(err, errsize, "", PQerrorMessage(conn));
		PQclear(res);
		return PGS_TEMP;
	}
	st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	pgconn_msg(err, errsize, "", msg ? msg : PQresultErrorMessage(res));
	r = pgexec_classify(st);
	if (r == PGS_TEMP && st == NULL && PQresultStatus(res) != PGRES_FATAL_ERROR)
		r = PGS_PERM;	/* an unexpected status, not a failure */
	if (r == PGS_ROWERR && re) {
		col = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
		if (col)
			snprintf(re->msg, sizeof(re->msg), "%s (column \"%s\")", err, col);
		else
			snprintf(re->msg, sizeof(re->msg), "%s", err);
		re->line = copy_line(PQresultErrorField(res, PG_DIAG_CONTEXT));
	}
	PQclear(res);
	return r;
}

int
pgexec_run(PGconn *conn, const char *sql, struct pgrowerr *re, char *err,
    size_t errsize)
{
	return pgexec_check(conn, PQexec(conn, sql), PGRES_COMMAND_OK, re,
	    err, errsize);
}

int
pgexec_query(PGconn *conn, const char *sql, int np, const char *const *params,
    PGresult **out, char *err, size_t errsize)
{
	PGresult *res = PQexecParams(conn, sql, np, NULL, params, NULL, NULL, 0);
	int r;

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK) {
		*out = res;
		return PGS_OK;
	}
	r = pgexec_check(conn, res, PGRES_TUPLES_OK, NULL, err, errsize);
	return r == PGS_ROWERR ? PGS_PERM : r;
}

char *
pgexec_quote(PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name)), *r;

	if (q == NULL)
		return NULL;
	r = xstrdup(q);
	PQfreemem(q);
	return r;
}
