/*
 * pgcopy.h: write batches of COPY text rows into the sink's table, one
 * transaction per batch. Rows are streamed into an open COPY while the
 * batch fills; a batch that fails on a bad row is written again with that
 * row found (pgbisect.h) and set aside.
 */
#ifndef WEBMON_PGCOPY_H
#define WEBMON_PGCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pgsink.h"

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

/* Append a row (COPY text and original line) to a batch. */
void pgbatch_add(struct pgbatch *b, const char *copy, size_t copylen,
    const char *line, size_t linelen, unsigned long lineno, uint64_t absent);
/* Empty a batch, keeping its storage. */
void pgbatch_reset(struct pgbatch *b);
/* Free a batch's storage and zero it. */
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

/*
 * For pgbisect.c: write rows idx[0..n) of b in the open transaction, one
 * COPY per absent mask. Returns PGS_*, or PGS_ROWERR with *bad the failing
 * row when the server said which (else -1).
 */
int pgcopy_send(struct pgsink *s, struct pgbatch *b, const size_t *idx,
    size_t n, long *bad, char *err, size_t errsize);

#endif
