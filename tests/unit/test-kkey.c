/* test-kkey.c: the Kafka message key of a line (lib/kafka/kkey.c). */
#include "kafka/kkey.h"
#include "unit.h"

#include <stdlib.h>

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
		/* plain lines (the fast path) and lines just past it */
		{ " {\t\"url\" :\r\n\"a b\" }", "a b" },
		{ "{\"a\":-0.5E+3,\"b\":null,\"c\":false,\"url\":\"x\"}", "x" },
		{ "{\"a\":0,\"b\":12e5,\"url\":-7}", "-7" },
		{ "{\"url\":12x", "12" },
		{ "{\"url\":false,", "false" },
		{ "{\"url\":\"\",\"url\":\"b\"}", "" },
		{ "{\"a\":1,\"b\":2}", "(none)" },
		{ "{}", "(none)" },
		{ "{\"a\":1.,\"url\":\"x\"}", "(none)" },
		{ "{\"a\":-,\"url\":\"x\"}", "(none)" },
		{ "{\"a\":1e,\"url\":\"x\"}", "(none)" },
		{ "{\"a\":tru,\"url\":\"x\"}", "(none)" },
		{ "{\"a\":1 \"url\":\"x\"}", "(none)" },
		{ "{\"a\":1,}", "(none)" },
		{ "{\"a\" 1,\"url\":\"x\"}", "(none)" },
		{ "{\"u\\u0072l\":\"esc\"}", "esc" },
		{ "{\"url\":\"a\\\"b\"}", "a\"b" },
		{ "{\"x\":\"\xc3\xa9\",\"url\":\"a\"}", "a" },
		{ "{\"x\":\"\x7f\",\"url\":\"a\"}", "a" },
		{ "{\"x\":\"\x01\",\"url\":\"a\"}", "(none)" },
		{ "{\"a\":[1,{\"url\":\"in\"}],\"url\":\"out\"}", "out" },
		{ "{\"url\"}", "(none)" },
		{ "{\"url\":", "(none)" },
	};
	struct kkey kk = { NULL, NULL, 0, 0, "url", BUF_INIT };
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
	struct kkey kk = { "K", NULL, 0, 0, "url", BUF_INIT };
	const char *p = "{\"url\":\"a\"}", *k;
	size_t len = strlen(p), klen;
	int delim = 0;

	k = kkey_find(&kk, &p, &len, &klen, &delim);
	CHECK_MEM(k, klen, "K");
	kk.key = NULL;
	kk.delim = "::";
	kk.dlen = 2;
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
	/* As kcat: with -k too, a line without the delimiter gets -k's key. */
	kk.key = "K";
	k = kkey_find(&kk, &p, &len, &klen, &delim);
	CHECK_MEM(k, klen, "K");
	CHECK(delim == 0 && len == 12 && strcmp(p, "no delimiter") == 0);
	/* An empty key or value is an empty one... */
	p = "::";
	len = 2;
	k = kkey_find(&kk, &p, &len, &klen, &delim);
	CHECK(k != NULL && klen == 0 && p != NULL && len == 0 && delim == 1);
	/* ...or, with -Z, none (not -k's) and a NULL payload. */
	kk.nulls = 1;
	p = "::";
	len = 2;
	CHECK(kkey_find(&kk, &p, &len, &klen, &delim) == NULL);
	CHECK(p == NULL && len == 0);
	p = "k::";
	len = 3;
	k = kkey_find(&kk, &p, &len, &klen, &delim);
	CHECK_MEM(k, klen, "k");
	CHECK(p == NULL);
	p = "::v";
	len = 3;
	CHECK(kkey_find(&kk, &p, &len, &klen, &delim) == NULL);
	CHECK_MEM(p, len, "v");
	/* -Z without -K: an empty line is a NULL payload. */
	kk.delim = NULL;
	kk.key = NULL;
	p = "";
	len = 0;
	CHECK(kkey_find(&kk, &p, &len, &klen, &delim) == NULL && p == NULL);
	kkey_free(&kk);
}

/* Random lines glued from pieces: the same key as jsonr reads on each. */
static void
random_lines(void)
{
	static const char *const pieces[] = {
		"{", "}", "\"url\"", "\"u\"", "\"a b\"", ":", ",", " ", "\t",
		"0", "-1.5e3", "01", "1.", "true", "nul", "null", "false",
		"\"x\\\"y\"", "\"\xc3\xa9\"", "\"\xff\"", "[", "]", "\"",
		"\"https://a/\"", "{\"url\":\"n\"}", "\\u0072",
	};
	struct kkey kk = { NULL, NULL, 0, 0, "url", BUF_INIT };
	struct buf ref = BUF_INIT;
	char line[256];
	size_t i, j, len, klen, rlen;
	const char *k, *r, *p;
	int delim = 0, bad = 0;

	srandom(14);
	for (i = 0; i < 200000 && bad < 5; i++) {
		size_t np = 1 + (size_t)random() % 12;

		snprintf(line, sizeof(line), "{\"url\":");
		if (random() % 2)
			line[0] = '\0';
		for (j = 0; j < np; j++)
			strncat(line, pieces[random() % (sizeof(pieces) /
			    sizeof(pieces[0]))], sizeof(line) - strlen(line) - 1);
		p = line;
		len = strlen(line);
		k = kkey_find(&kk, &p, &len, &klen, &delim);
		r = kkey_member(line, strlen(line), "url", 3, &ref, &rlen);
		if ((k == NULL) != (r == NULL) || (k && (klen != rlen ||
		    memcmp(k, r, klen) != 0))) {
			CHECK(!"same key as jsonr");
			printf("#   %s -> %.*s, want %.*s\n", line,
			    k ? (int)klen : 6, k ? k : "(none)",
			    r ? (int)rlen : 6, r ? r : "(none)");
			bad++;
		}
	}
	buf_free(&ref);
	kkey_free(&kk);
}

int
main(void)
{
	TEST("kkey: --key-field takes a top-level member up to which the text is valid",
	    key_field());
	TEST("kkey: --key-field gives jsonr's key on random lines",
	    random_lines());
	TEST("kkey: -k gives one key, -K splits at the delimiter, -Z makes empty NULL",
	    constant_and_delimiter());
	return unit_done();
}
