/*
 * pgtable.h: the target table as the catalog describes it: its quoted
 * name, the columns rows are written to, and the --key columns.
 */
#ifndef WEBMON_PGTABLE_H
#define WEBMON_PGTABLE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "copyrow.h"
#include "pgexec.h"

struct pgcol {
	char *name;		/* owned */
	char *qname;		/* owned: quoted identifier */
	char *type;		/* owned: format_type() text */
	int is_json;		/* json or jsonb */
	int has_default;
};

struct pgtable {
	char *name;		/* owned: quoted, schema-qualified */
	struct pgcol *cols;	/* owned: the mapped columns, in table order */
	size_t ncols;
	int *keycols;		/* owned: indexes into cols of the key columns */
	size_t nkey;
};

/*
 * Fill t (zeroed by the caller) from the catalog for table (SQL syntax:
 * schema.table, quoted parts allowed), skipping dropped and generated
 * columns. With only (a comma-separated list) keep those columns; with key
 * (comma-separated), check that a unique index on exactly those columns
 * exists. Returns PGS_OK, or PGS_TEMP or PGS_PERM with a message in err;
 * free t with pgtable_free() either way.
 */
int pgtable_describe(struct pgtable *t, PGconn *conn, const char *table,
    const char *only, const char *key, char *err, size_t errsize);

/* Set up cr (copyrow_init()) to convert rows for t's columns. */
void pgtable_copyrow(const struct pgtable *t, struct copyrow *cr, int strict);

/* Free what t owns and zero it. */
void pgtable_free(struct pgtable *t);

#endif
