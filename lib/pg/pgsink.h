/*
 * pgsink.h: write batches of COPY text rows into one PostgreSQL table, one
 * transaction per batch. Rows are streamed into an open COPY while the batch
 * fills; a batch that fails on a bad row is written again with that row
 * found (from the COPY line number, else by bisecting under savepoints) and
 * set aside. Errors are classified by SQLSTATE into row errors, temporary
 * failures (worth a reconnect and a retry) and permanent ones.
 */
#ifndef WEBMON_PGSINK_H
#define WEBMON_PGSINK_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"

enum {
	PGS_OK = 0,
	PGS_TEMP = 1,	/* connection lost, server restarting, out of disk...: retry */
	PGS_PERM = 2	/* table missing, permission denied...: give up */
};

struct pgcol {
	char *name;		/* owned */
	char *qname;		/* owned: quoted identifier */
	char *type;		/* owned: format_type() text */
	int is_json;		/* json or jsonb */
	int has_default;
};

/* One input row of a batch. */
struct pgrow {
	size_t copy_off, copy_len;	/* COPY text in batch->copy, with its '\n' */
	size_t in_off, in_len;		/* original line in batch->input */
	unsigned long lineno;
	uint64_t absent;		/* columns left to their default */
	char *err;			/* owned: why the server rejected it, or NULL */
	int streamed;			/* sent in the batch's open COPY */
};

struct pgbatch {
	struct buf copy, input;
	struct pgrow *rows;
	size_t n, cap;
};

struct pgsink {
	PGconn *conn;
	char *conninfo;		/* owned; "" means PG* variables only */
	char *table;		/* owned: quoted, schema-qualified */
	struct pgcol *cols;	/* owned: the mapped columns, in table order */
	size_t ncols;
	int *keycols;		/* owned: indexes into cols of --key columns */
	size_t nkey;
	int staging;		/* staging table exists on this connection */
	int streaming;		/* 0 none, 1 COPY open, -1 COPY broke */
	int copy_open;		/* the connection is in COPY IN state */
	uint64_t stream_absent;
	unsigned long long pending, pending_dups;	/* in the open transaction */
	char rowmsg[512];	/* last row error */
	long hint;		/* COPY line of the last row error, or -1 */
	/* Totals, for statistics. */
	unsigned long long stored, duplicates, rejected, batches;
};

/* Zero the sink; keep conninfo (copied). */
void pgsink_init(struct pgsink *s, const char *conninfo);
/* Close the connection and free everything. */
void pgsink_free(struct pgsink *s);

/* (Re)connect. Returns PGS_OK or PGS_TEMP with a message in err. */
int pgsink_connect(struct pgsink *s, char *err, size_t errsize);

/*
 * Read the columns of table (SQL syntax: schema.table, quoted parts allowed)
 * from the catalog, skipping dropped and generated ones. With only (a
 * comma-separated list) keep those columns; with key (comma-separated),
 * check that a unique index on exactly those columns exists. Returns PGS_*.
 */
int pgsink_describe(struct pgsink *s, const char *table, const char *only,
    const char *key, char *err, size_t errsize);

/* Append a row (COPY text and original line) to a batch. */
void pgbatch_add(struct pgbatch *b, const char *copy, size_t copylen,
    const char *line, size_t linelen, unsigned long lineno, uint64_t absent);
/* Empty a batch, keeping its storage. */
void pgbatch_reset(struct pgbatch *b);
void pgbatch_free(struct pgbatch *b);

/*
 * Send the batch's last row into the open COPY, opening a transaction and
 * the COPY first if needed. Failures are remembered and dealt with by
 * pgsink_flush(); this never reports an error itself.
 */
void pgsink_stream(struct pgsink *s, struct pgbatch *b);

/*
 * Store the whole batch in one transaction. Rows the server rejects get
 * their err set and are not stored. Returns PGS_OK once committed; PGS_TEMP
 * (reconnect, then call again with the same batch) or PGS_PERM with a
 * message in err.
 */
int pgsink_flush(struct pgsink *s, struct pgbatch *b, char *err, size_t errsize);

#endif
