/* test-kkey.c: the Kafka message key of a line (lib/kafka/kkey.c). */
#include "kafka/kkey.h"
#include "unit.h"

/* The --key-field key of line, or "(none)". */
static const char *
field_key(struct kkey *kk, const char *line, char *out, size_t size)
{
	const char *p = line, *k;
	size_t len = strlen(line), klen;
	int delim = 0;

	if ((k = kkey_find(kk, &p, &len, &klen, &delim)) == NULL)
		snprintf(out, size, "(none)");
	else
		snprintf(out, size, "%.*s", (int)klen, k);
	CHECK(delim == 0 && p == line && len == strlen(line));
	return out;
}

static void
key_field(void)
{
	static const char *const cases[][2] = {
		{ "{\"id\":1,\"url\":\"https://a/\"}", "https://a/" },
		{ "{\"url\":\"a\\/b\\u00e9\\ud83d\\ude00\"}", "a/b\xc3\xa9\xf0\x9f\x98\x80" },
		{ "{\"url\":42.5}", "42.5" },
		{ "{\"url\":true}", "true" },
		{ "{\"url\":\"\"}", "" },
		{ "{\"url\":null}", "(none)" },
		{ "{\"url\":{\"a\":1}}", "(none)" },
		{ "{\"url\":[1]}", "(none)" },
		{ "{\"u\":\"x\"}", "(none)" },
		{ "[\"url\",\"x\"]", "(none)" },
		{ "not json", "(none)" },
		{ "", "(none)" },
		/* the first of duplicates; a nested member is not top-level */
		{ "{\"o\":{\"url\":\"in\"},\"url\":\"a\",\"url\":\"b\"}", "a" },
		/* only the text up to the member is read */
		{ "{\"url\":\"a\",\"x\":\xff broken", "a" },
		/* the text before it must be valid JSON */
		{ "{\"x\":\"\\ud800\",\"url\":\"a\"}", "(none)" },
		{ "{\"x\":\"\xc0\xaf\",\"url\":\"a\"}", "(none)" },
		{ "{\"x\":01,\"url\":\"a\"}", "(none)" },
		{ "{\"url\":\"\\udc00\"}", "(none)" },
		{ "{\"url\":\"a", "(none)" },
	};
	struct kkey kk = { NULL, NULL, "url", BUF_INIT };
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!CHECK(strcmp(field_key(&kk, cases[i][0], out,
		    sizeof(out)), cases[i][1]) == 0))
			printf("#   %s -> %s, want %s\n", cases[i][0], out,
			    cases[i][1]);
	kk.field = "";
	CHECK(strcmp(field_key(&kk, "{\"url\":\"a\"}", out, sizeof(out)),
	    "(none)") == 0);
	kkey_free(&kk);
}

static void
constant_and_delimiter(void)
{
	struct kkey kk = { "K", NULL, "url", BUF_INIT };
	const char *p = "{\"url\":\"a\"}", *k;
	size_t len = strlen(p), klen;
	int delim = 0;

	k = kkey_find(&kk, &p, &len, &klen, &delim);
	CHECK_MEM(k, klen, "K");
	kk.key = NULL;
	kk.delim = "::";
	p = "key::value";
	len = strlen(p);
	k = kkey_find(&kk, &p, &len, &klen, &delim);
	CHECK_MEM(k, klen, "key");
	CHECK_MEM(p, len, "value");
	CHECK(delim == 1);
	/* As kcat: no delimiter, no key, the line whole. */
	p = "no delimiter";
	len = strlen(p);
	delim = 0;
	CHECK(kkey_find(&kk, &p, &len, &klen, &delim) == NULL);
	CHECK(delim == 0 && len == 12);
	kkey_free(&kk);
}

int
main(void)
{
	TEST("kkey: --key-field takes a top-level member up to which the text is valid",
	    key_field());
	TEST("kkey: -k gives one key, -K splits at the delimiter",
	    constant_and_delimiter());
	return unit_done();
}
