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

/* Lines of libpq's messages that explain rather than say what failed. */
static int
boilerplate(const char *line, size_t len)
{
	static const char *const skip[] = { "\t", "This probably means",
	    "before or while processing" };
	size_t i;

	if (len == 0)
		return 1;
	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strncmp(line, skip[i], strlen(skip[i])) == 0)
			return 1;
	return 0;
}

void
pgconn_msg(char *err, size_t errsize, const char *prefix, const char *msg)
{
	const char *e;
	size_t n, len;
	int first = 1;

	if (errsize == 0)
		return;
	snprintf(err, errsize, "%s", prefix);
	if (msg == NULL)
		msg = "unknown error";
	for (; *msg; msg = *e ? e + 1 : e) {
		e = msg + strcspn(msg, "\n");
		len = (size_t)(e - msg);
		if (boilerplate(msg, len))
			continue;
		if (strncmp(msg, "FATAL:  ", 8) == 0 || strncmp(msg, "ERROR:  ", 8) == 0) {
			msg += 8;
			len -= 8;
		}
		while (len > 0 && (msg[len - 1] == ' ' || msg[len - 1] == '.'))
			len--;
		n = strlen(err);
		snprintf(err + n, errsize - n, "%s%.*s", first ? "" : "; ", (int)len, msg);
		first = 0;
	}
	if (first) {
		n = strlen(err);
		snprintf(err + n, errsize - n, "unknown error");
	}
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
