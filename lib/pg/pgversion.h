/* pgversion.h: the version of libpq the PostgreSQL programs link. */
#ifndef WEBMON_PGVERSION_H
#define WEBMON_PGVERSION_H

#include <stdio.h>

/* One line, "libpq 16.4", for -V (struct cli_prog's versions). */
void pg_versions(FILE *fp);

#endif
