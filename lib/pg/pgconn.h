/*
 * pgconn.h: psql's connection flags -h HOST -p PORT -U USER -d DBNAME
 * (-d also takes a conninfo string or a URI) made into a libpq connection.
 * Whatever the flags leave out comes from libpq's PG* variables and the
 * password from ~/.pgpass (or PGPASSFILE): no password is ever taken from
 * the command line. Shared by the programs that talk to PostgreSQL.
 */
#ifndef WEBMON_PGCONN_H
#define WEBMON_PGCONN_H

#include <stddef.h>

#include <libpq-fe.h>

/* The short options, for a getopt string: "d:h:p:U:". */
#define PGCONN_OPTSTRING "d:h:p:U:"

/* psql's long names of the same flags, as struct option entries. */
#define PGCONN_LONGOPTS \
	{ "dbname", required_argument, NULL, 'd' }, \
	{ "host", required_argument, NULL, 'h' }, \
	{ "port", required_argument, NULL, 'p' }, \
	{ "username", required_argument, NULL, 'U' }

/* Lines of --help for the four flags, as psql words them. */
#define PGCONN_HELP \
	"  -h, --host HOST         database server host or socket directory\n" \
	"  -p, --port PORT         database server port\n" \
	"  -U, --username USER     database user name\n" \
	"  -d, --dbname DBNAME     database name, conninfo string or URI\n" \
	"                          (unset: libpq's PG* variables; passwords\n" \
	"                          from ~/.pgpass or PGPASSFILE)\n"

/* Connection flags; strings are not owned (argv). NULL: libpq's default. */
struct pgconnopts {
	const char *host, *port, *user, *dbname;
};

/*
 * Take getopt's option c with argument arg if c is one of 'h', 'p', 'U',
 * 'd'. Returns 1 when taken, 0 when c is not a connection flag.
 */
int pgconn_opt(struct pgconnopts *o, int c, const char *arg);

/*
 * Connect as psql does (a conninfo or URI in dbname overrides -h -p -U,
 * as in psql), with client_encoding UTF8 and appname as the
 * fallback_application_name. Returns a connection (the caller PQfinish()es
 * it), or NULL with a one-line message in err.
 */
PGconn *pgconn_open(const struct pgconnopts *o, const char *appname,
    char *err, size_t errsize);

/*
 * Write prefix and a libpq message msg (NULL: "unknown error") into err as
 * one line: its lines joined by "; ", without libpq's explanatory lines
 * (tab-indented hints, "This probably means...") or "FATAL:  " prefixes.
 */
void pgconn_msg(char *err, size_t errsize, const char *prefix, const char *msg);

#endif
