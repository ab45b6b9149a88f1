/* pgconn.c: psql's connection flags into a libpq connection. */
#include "pgconn.h"

#include <stdio.h>
#include <string.h>

int
pgconn_opt(struct pgconnopts *o, int c, const char *arg)
{
	switch (c) {
	case 'h':
		o->host = arg;
		return 1;
	case 'p':
		o->port = arg;
		return 1;
	case 'U':
		o->user = arg;
		return 1;
	case 'd':
		o->dbname = arg;
		return 1;
	}
	return 0;
}

void
pgconn_msg(char *err, size_t errsize, const char *prefix, const char *msg)
{
	size_t n, i;

	if (errsize == 0)
		return;
	snprintf(err, errsize, "%s", prefix);
	n = strlen(err);
	if (msg == NULL)
		msg = "unknown error";
	while (*msg && n + 1 < errsize) {
		if (*msg == '\n') {
			/* libpq's second lines start with a tab: fold them in. */
			while (*msg == '\n' || *msg == '\t' || *msg == ' ')
				msg++;
			if (*msg == '\0')
				break;
			for (i = 0; i < 2 && n + 1 < errsize; i++)
				err[n++] = "; "[i];
			continue;
		}
		err[n++] = *msg++;
	}
	err[n] = '\0';
	while (n > 0 && err[n - 1] == ' ')
		err[--n] = '\0';
}

PGconn *
pgconn_open(const struct pgconnopts *o, const char *appname, char *err,
    size_t errsize)
{
	/*
	 * psql's order: entries before dbname can be overridden by a conninfo
	 * string or URI given as dbname; those after it cannot.
	 */
	const char *keys[] = { "host", "port", "user", "dbname",
	    "fallback_application_name", "client_encoding", NULL };
	const char *vals[] = { o->host, o->port, o->user, o->dbname,
	    appname, "UTF8", NULL };
	PGconn *conn;

	if ((conn = PQconnectdbParams(keys, vals, 1)) == NULL) {
		pgconn_msg(err, errsize, "", "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		pgconn_msg(err, errsize, "", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}
