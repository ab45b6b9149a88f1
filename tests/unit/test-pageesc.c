/* test-pageesc.c: the status page's escaping (lib/page/esc.c). */
#include <stdlib.h>

#include "buf.h"
#include "page/esc.h"
#include "unit.h"

/* csv_field(s) as a C string; caller frees. */
static char *
csv(const char *s)
{
	struct buf b = BUF_INIT;

	csv_field(&b, s);
	buf_putc(&b, '\0');
	return b.data;
}

static void
csv_fields(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		/* spreadsheet formulas stay text */
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" },
		{ "+1", "\"'+1\"" },
		{ "-2", "\"'-2\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\tx\"" },
		{ "a=b", "a=b" },
		{ "https://example.com/?q=-1", "https://example.com/?q=-1" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = csv(cases[i].in);

		CHECK_MEM(got, strlen(got), cases[i].out);
		free(got);
	}
	{
		char *got = csv(NULL);

		CHECK(got[0] == '\0');
		free(got);
	}
}

int
main(void)
{
	TEST("csv_field: RFC 4180 quoting, formulas kept as text", csv_fields());
	return unit_done();
}
