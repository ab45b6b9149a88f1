/* test-statusset.c: accepted status code sets (lib/probe/statusset.c). */
#include "probe/statusset.h"
#include "unit.h"

/* Parse text and give it back formatted, or "error". */
static const char *
roundtrip(const char *text, char *out, size_t size)
{
	struct statusset set = STATUSSET_DEFAULT;
	char err[256];

	if (statusset_parse(&set, text, err, sizeof(err)) < 0) {
		snprintf(out, size, "error");
		return out;
	}
	statusset_format(&set, out, size);
	statusset_free(&set);
	return out;
}

static void
parse_and_format(void)
{
	static const char *const cases[][2] = {
		{ "200", "200" },
		{ "200-299,301", "200-299,301" },
		{ "2xx,3XX", "200-299,300-399" },
		{ " 200 - 204 , 404 ", "200-204,404" },
		{ "2xx-3xx", "200-399" },
		{ "100-999", "100-999" },
		{ "", "error" },
		{ "20", "error" },
		{ "2000", "error" },
		{ "099", "error" },
		{ "300-200", "error" },
		{ "200,", "error" },
		{ ",200", "error" },
		{ "200;301", "error" },
		{ "2x", "error" },
		{ "abc", "error" },
		{ "-200", "error" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!CHECK(strcmp(roundtrip(cases[i][0], out, sizeof(out)),
		    cases[i][1]) == 0))
			printf("#   \"%s\" gave \"%s\", want \"%s\"\n",
			    cases[i][0], out, cases[i][1]);
}

static void
membership(void)
{
	struct statusset def = STATUSSET_DEFAULT, set = STATUSSET_DEFAULT;
	char err[256], out[16];

	CHECK(statusset_has(&def, 200) && statusset_has(&def, 299));
	CHECK(!statusset_has(&def, 199) && !statusset_has(&def, 300));
	CHECK(!statusset_has(&def, -1) && !statusset_has(&def, 0));
	statusset_format(&def, out, sizeof(out));
	CHECK(strcmp(out, "200-299") == 0);
	CHECK(statusset_parse(&set, "301,4xx,500-503", err, sizeof(err)) == 0);
	CHECK(set.n == 3);
	CHECK(statusset_has(&set, 301) && !statusset_has(&set, 302));
	CHECK(statusset_has(&set, 400) && statusset_has(&set, 499));
	CHECK(statusset_has(&set, 503) && !statusset_has(&set, 504));
	CHECK(!statusset_has(&set, 200));
	statusset_free(&set);
	CHECK(set.n == 0 && set.r == NULL && statusset_has(&set, 200));
}

static void
errors_and_truncation(void)
{
	struct statusset set = STATUSSET_DEFAULT;
	char err[256], out[8];

	CHECK(statusset_parse(&set, "2x0", err, sizeof(err)) == -1);
	CHECK(strstr(err, "bad expect '2x0'") != NULL);
	CHECK(set.n == 0 && set.r == NULL);
	CHECK(statusset_parse(&set, "200-299,301,404", err, sizeof(err)) == 0);
	statusset_format(&set, out, sizeof(out));
	CHECK(strlen(out) < sizeof(out));	/* cut, still terminated */
	CHECK(strncmp(out, "200-299", 7) == 0);
	statusset_format(&set, out, 0);		/* writes nothing */
	statusset_free(&set);
}

int
main(void)
{
	TEST("statusset: codes, ranges and classes parse and format back",
	    parse_and_format());
	TEST("statusset: membership, and the default set 200-299", membership());
	TEST("statusset: a bad text says so; format truncates safely",
	    errors_and_truncation());
	return unit_done();
}
