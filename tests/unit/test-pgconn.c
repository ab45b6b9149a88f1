/* test-pgconn.c: psql's flags and libpq messages as one line (lib/pg/pgconn.c). */
#include "pg/pgconn.h"
#include "unit.h"

#define MSG(prefix, msg, want) do { \
	pgconn_msg(err, sizeof(err), (prefix), (msg)); \
	CHECK_MEM(err, strlen(err), (want)); \
} while (0)

static void
messages(void)
{
	char err[512], small[16];

	MSG("", "FATAL:  terminating connection due to administrator command\n"
	    "server closed the connection unexpectedly\n"
	    "\tThis probably means the server terminated abnormally\n"
	    "\tbefore or while processing the request.\n",
	    "terminating connection due to administrator command; "
	    "server closed the connection unexpectedly");
	MSG("connect: ", "connection to server on socket \"/s/.s.PGSQL.1\" failed: "
	    "No such file or directory\n\tIs the server running locally and "
	    "accepting connections on that socket?\n",
	    "connect: connection to server on socket \"/s/.s.PGSQL.1\" failed: "
	    "No such file or directory");
	MSG("", "connection to server at \"a\" failed: refused\n"
	    "connection to server at \"b\" failed: timeout\n",
	    "connection to server at \"a\" failed: refused; "
	    "connection to server at \"b\" failed: timeout");
	MSG("", "relation \"x\" does not exist", "relation \"x\" does not exist");
	MSG("p: ", NULL, "p: unknown error");
	MSG("p: ", "\n\n", "p: unknown error");
	/* Cut to the buffer, always terminated. */
	pgconn_msg(small, sizeof(small), "p: ", "a long message that does not fit");
	CHECK_MEM(small, strlen(small), "p: a long messa");
}

static void
flags(void)
{
	struct pgconnopts o = { 0 };

	CHECK(pgconn_opt(&o, 'h', "/run/pg") == 1);
	CHECK(pgconn_opt(&o, 'p', "5433") == 1);
	CHECK(pgconn_opt(&o, 'U', "sink") == 1);
	CHECK(pgconn_opt(&o, 'd', "webmon") == 1);
	CHECK(pgconn_opt(&o, 't', "table") == 0);
	CHECK(pgconn_opt(&o, 'v', NULL) == 0);
	CHECK(strcmp(o.host, "/run/pg") == 0 && strcmp(o.port, "5433") == 0 &&
	    strcmp(o.user, "sink") == 0 && strcmp(o.dbname, "webmon") == 0);
}

int
main(void)
{
	TEST("libpq messages become one line without the explanations", messages());
	TEST("-h -p -U -d are taken, other flags left", flags());
	return unit_done();
}
