/*
 * pgexec.h: statements of the sink and what their results mean. A failure
 * is classified by SQLSTATE as temporary (worth a reconnect and a retry),
 * permanent, or a row error (the data of one row was refused). The result
 * classes PGS_OK, PGS_TEMP and PGS_PERM are those of every lib/pg/ call;
 * the functions serve the files of lib/pg/, not programs.
 */
#ifndef WEBMON_PGEXEC_H
#define WEBMON_PGEXEC_H

#include <stddef.h>

#include <libpq-fe.h>

enum {
	PGS_OK = 0,
	PGS_TEMP = 1,	/* connection lost, server restarting, out of disk...: retry */
	PGS_PERM = 2,	/* table missing, permission denied...: give up */
	PGS_ROWERR = 3	/* within lib/pg: a row of the statement was refused */
};

/* What the server said about a refused row. */
struct pgrowerr {
	char msg[512];		/* the message, with the column when known */
	long line;		/* COPY line the error names, or -1 */
};

/* PGS_TEMP, PGS_PERM or PGS_ROWERR for a SQLSTATE (NULL: connection lost). */
int pgexec_classify(const char *sqlstate);

/*
 * Check res (cleared here) against the wanted status. Returns PGS_OK, or
 * PGS_TEMP, PGS_PERM or PGS_ROWERR with a message in err; on a row error
 * re, if not NULL, gets the server's message and COPY line.
 */
int pgexec_check(PGconn *conn, PGresult *res, ExecStatusType want,
    struct pgrowerr *re, char *err, size_t errsize);

/* Run a statement that returns no rows; as pgexec_check(). */
int pgexec_run(PGconn *conn, const char *sql, struct pgrowerr *re,
    char *err, size_t errsize);

/*
 * Run a query with text parameters. Returns PGS_OK with the result in *out
 * (the caller PQclear()s it), or PGS_TEMP or PGS_PERM with err set.
 */
int pgexec_query(PGconn *conn, const char *sql, int nparams,
    const char *const *params, PGresult **out, char *err, size_t errsize);

/* A quoted identifier the caller frees, or NULL (message in conn). */
char *pgexec_quote(PGconn *conn, const char *name);

#endif
