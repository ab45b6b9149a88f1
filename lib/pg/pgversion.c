/* pgversion.c: the version of libpq the PostgreSQL programs link. */
#include "pgversion.h"

#include <libpq-fe.h>

void
pg_versions(FILE *fp)
{
	int v = PQlibVersion();		/* 160004 for 16.4 */

	fprintf(fp, "libpq %d.%d\n", v / 10000, v % 10000);
}
