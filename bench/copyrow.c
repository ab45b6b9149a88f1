/*
 * copyrow.c: throughput of the NDJSON to COPY row converter alone (no
 * PostgreSQL), the hot path of wm-pg-copy. Reads NDJSON on stdin, converts
 * every line ROUNDS times for wm_results' columns and prints MB/s and
 * rows/s of the best round.
 *   cc -O2 -Ilib -o /tmp/copyrow-bench bench/copyrow.c lib/pg/copyrow.c \
 *       lib/libwm.a && /tmp/copyrow-bench 5 <in.ndjson
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pg/copyrow.h"

static const char *const names[] = {
	"id", "ts", "url", "name", "method", "ok", "status", "error",
	"detail", "time_ms", "dns_ms", "connect_ms", "tls_ms", "wait_ms",
	"transfer_ms", "bytes", "ip", "regex", "match", "matched",
	"cert_expiry", "probe", "tags",
};
#define NCOLS (sizeof(names) / sizeof(names[0]))

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct copycol cols[NCOLS];
	struct copyrow cr;
	struct buf in = BUF_INIT, out = BUF_INIT;
	char chunk[65536], err[256];
	size_t i, n, rows = 0;
	int r, rounds = argc > 1 ? atoi(argv[1]) : 5;
	double best = 0;

	for (i = 0; i < NCOLS; i++) {
		cols[i].name = names[i];
		cols[i].is_json = strcmp(names[i], "tags") == 0;
		cols[i].defbit = -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(&in, chunk, n);
	copyrow_init(&cr, cols, NCOLS, 0);
	for (r = 0; r < rounds; r++) {
		const char *p = in.data, *end = in.data + in.len, *nl;
		uint64_t absent;
		double t0 = now(), dt;

		rows = 0;
		for (; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			buf_reset(&out);
			if (copyrow_convert(&cr, p, (size_t)(nl - p), &out,
			    &absent, err, sizeof(err)) < 0) {
				fprintf(stderr, "row %zu: %s\n", rows + 1, err);
				return 1;
			}
			rows++;
		}
		dt = now() - t0;
		if (best == 0 || dt < best)
			best = dt;
	}
	printf("copyrow: %zu rows, %.1f MB/s, %.0f rows/s (best of %d)\n",
	    rows, (double)in.len / best / 1e6, (double)rows / best, rounds);
	copyrow_free(&cr);
	buf_free(&in);
	buf_free(&out);
	return 0;
}
