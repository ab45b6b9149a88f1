/* test-copyrow.c: NDJSON object to COPY text row (lib/pg/copyrow.c). */
#include <stdint.h>

#include "buf.h"
#include "pg/copyrow.h"
#include "unit.h"

static const struct copycol cols[] = {
	{ "id", 0, -1 },
	{ "t", 0, -1 },
	{ "n", 0, -1 },
	{ "j", 1, -1 },
	{ "d", 0, 0 },		/* has a default */
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* Convert line with a fresh converter; the row without its newline. */
static int
conv(int strict, const char *line, struct buf *row, uint64_t *absent,
    char *err, size_t errsize)
{
	struct copyrow cr;
	int rc;

	copyrow_init(&cr, cols, NCOLS, strict);
	buf_reset(row);
	rc = copyrow_convert(&cr, line, strlen(line), row, absent, err, errsize);
	if (rc == 0 && CHECK(row->len > 0 && row->data[row->len - 1] == '\n'))
		row->data[--row->len] = '\0';
	copyrow_free(&cr);
	return rc;
}

#define ROW(line, want) do { \
	if (CHECK(conv(0, (line), &row, &absent, err, sizeof(err)) == 0)) \
		CHECK_MEM(row.data, row.len, (want)); \
	else \
		printf("#   %s: %s\n", (line), err); \
} while (0)

static void
values(void)
{
	struct buf row = BUF_INIT;
	uint64_t absent;
	char err[256];

	ROW("{\"id\":1,\"t\":\"x\",\"n\":2.50,\"j\":{\"a\":[1]},\"d\":\"y\"}",
	    "1\tx\t2.50\t{\"a\":[1]}\ty");
	CHECK(absent == 0);
	/* Absent: the default column leaves the row, the others are NULL. */
	ROW("{\"id\":1}", "1\t\\N\t\\N\t\\N");
	CHECK(absent == 1);
	ROW("{\"id\":null,\"d\":null}", "\\N\t\\N\t\\N\t\\N\t\\N");
	CHECK(absent == 0);
	/* Numbers and literals keep their text; nothing is rounded. */
	ROW("{\"n\":123456789012345678901234567890.000000000000000001,"
	    "\"t\":true,\"id\":-0,\"j\":1e400,\"d\":false}",
	    "-0\ttrue\t123456789012345678901234567890.000000000000000001\t"
	    "1e400\tfalse");
	/* The last of duplicate members wins, as in jansson. */
	ROW("{\"t\":\"a\",\"t\":\"b\"}", "\\N\tb\t\\N\t\\N");
	/* Keys not in the columns are skipped whole. */
	ROW("{\"zz\":{\"t\":[\"x\"]},\"t\":\"y\"}", "\\N\ty\t\\N\t\\N");
	/* White space anywhere JSON allows it. */
	ROW(" \t{ \"t\" : \"s\" , \"n\" :1 }\r\n", "\\N\ts\t1\t\\N");
	buf_free(&row);
}

static void
escaping(void)
{
	struct buf row = BUF_INIT;
	uint64_t absent;
	char err[256];

	/* Text columns: decoded, then COPY-escaped. */
	ROW("{\"t\":\"a\\tb\\nc\\rd\\\\e\\\"f\\/g\"}",
	    "\\N\ta\\tb\\nc\\rd\\\\e\"f/g\t\\N\t\\N");
	ROW("{\"t\":\"\\u00e9\\ud83d\\ude00 \xc3\xa9\"}",
	    "\\N\t\xc3\xa9\xf0\x9f\x98\x80 \xc3\xa9\t\\N\t\\N");
	/* A text column takes the literal text \N as two characters. */
	ROW("{\"t\":\"\\\\N\"}", "\\N\t\\\\N\t\\N\t\\N");
	/* JSON columns: the JSON text itself, COPY-escaped. */
	ROW("{\"j\":\"a\\nb\"}", "\\N\t\\N\t\\N\t\"a\\\\nb\"");
	ROW("{\"j\":[\"\\\\\",\"x\"]}", "\\N\t\\N\t\\N\t[\"\\\\\\\\\",\"x\"]");
	buf_free(&row);
}

static void
errors(void)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "[1]", "not a JSON object" },
		{ "", "not a JSON object" },
		{ "{\"t\":\"\xff\"}", "invalid UTF-8" },
		{ "{\"t\":\"\xed\xa0\x80\"}", "invalid UTF-8" },
		{ "{\"t\":\"a\\u0000b\"}", "NUL" },
		{ "{\"zz\":\"\\u0000\"}", "NUL" },
		{ "{\"t\":\"\\ud800\"}", "lone surrogate" },
		{ "{\"zz\":[\"\\udc00\"]}", "lone surrogate" },
		{ "{\"t\":1} {}", "trailing characters" },
		{ "{\"t\":1", "expected ',' or '}'" },
		{ "{\"t\":01}", "expected ',' or '}'" },
		{ "{\"t\":\"a\tb\"}", "control character" },
	};
	struct buf row = BUF_INIT;
	uint64_t absent;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(conv(0, bad[i].line, &row, &absent, err, sizeof(err)) == -1);
		CHECK(row.len == 0);	/* nothing appended */
		if (!CHECK(strstr(err, bad[i].why) != NULL &&
		    strstr(err, " at byte ") != NULL))
			printf("#   %s: \"%s\", want %s\n", bad[i].line, err,
			    bad[i].why);
	}
	/* strict: a key that is no column makes the line bad. */
	CHECK(conv(1, "{\"t\":1,\"zzz\":2}", &row, &absent, err,
	    sizeof(err)) == -1);
	CHECK(strcmp(err, "unknown key \"zzz\"") == 0);
	CHECK(conv(1, "{\"t\":1,\"d\":2}", &row, &absent, err,
	    sizeof(err)) == 0);
	buf_free(&row);
}

static void
reuse_and_blank(void)
{
	struct copyrow cr;
	struct buf out = BUF_INIT;
	uint64_t absent;
	char err[256];

	copyrow_init(&cr, cols, NCOLS, 0);
	CHECK(copyrow_convert(&cr, "{\"t\":\"a\",\"d\":1}", 15, &out, &absent,
	    err, sizeof(err)) == 0 && absent == 0);
	CHECK(copyrow_convert(&cr, "{\"x\":", 5, &out, &absent, err,
	    sizeof(err)) == -1);
	CHECK(copyrow_convert(&cr, "{\"n\":5}", 7, &out, &absent, err,
	    sizeof(err)) == 0 && absent == 1);
	/* Rows append; a failed one left nothing and no stale column. */
	CHECK_MEM(out.data, out.len, "\\N\ta\t\\N\t\\N\t1\n\\N\t\\N\t5\t\\N\n");
	copyrow_free(&cr);
	buf_free(&out);
	CHECK(copyrow_blank("", 0) && copyrow_blank(" \t\r\n", 4));
	CHECK(!copyrow_blank(" {}", 3));
}

int
main(void)
{
	TEST("copyrow: values by column, defaults, nulls, exact numbers",
	    values());
	TEST("copyrow: strings decoded and COPY-escaped; JSON columns as text",
	    escaping());
	TEST("copyrow: bad lines refused with a reason and a byte", errors());
	TEST("copyrow: one converter for many rows; blank lines", reuse_and_blank());
	return unit_done();
}
