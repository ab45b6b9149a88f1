/* test-jsonr.c: the JSON reader (lib/jsonr.c). */
#include <stdlib.h>

#include "buf.h"
#include "jsonr.h"
#include "unit.h"

/* Read s as one whole JSON text; 0 or -1, with the error in *why. */
static int
read_text(const char *s, size_t n, int flags, const char **why)
{
	struct jsonr r;
	struct jsonr_val v;

	jsonr_init(&r, s, n, flags);
	if (jsonr_value(&r, &v) == 0 && jsonr_end(&r) == 0)
		return 0;
	*why = r.err;
	return -1;
}

static void
valid_corpus(void)
{
	static const char *const ok[] = {
		"{}", "[]", "0", "-0", "1.5e+10", "-12.25E-3", "123456789012345678901234567890",
		"true", "false", "null", "\"\"", " \t\r\n{ \"a\" : [ 1 , { } , [ ] ] } \n",
		"{\"a\":{\"b\":{\"c\":null}}}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
		"\"\\u00e9\\u20AC\"", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
		"{\"\":\"\"}", "1e400",
	};
	const char *why = NULL;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!CHECK(read_text(ok[i], strlen(ok[i]), 0, &why) == 0))
			printf("#   text: %s (%s)\n", ok[i], why);
}

static void
invalid_corpus(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "missing value" },
		{ "{", "expected a member name" },
		{ "{\"a\":1", "expected ',' or '}'" },
		{ "{\"a\"}", "expected ':'" },
		{ "{\"a\":}", "invalid JSON value" },
		{ "{\"a\":1,}", "expected a member name" },
		{ "{,}", "expected a member name" },
		{ "[1,]", "invalid JSON value" },
		{ "[1 2]", "expected ',' or ']'" },
		{ "{\"a\":1} x", "trailing characters after the value" },
		{ "01", "trailing characters after the value" },
		{ "1.", "invalid number" },
		{ ".5", "invalid JSON value" },
		{ "-", "invalid number" },
		{ "1e", "invalid number" },
		{ "+1", "invalid JSON value" },
		{ "tru", "invalid JSON value" },
		{ "nul", "invalid JSON value" },
		{ "\"abc", "unterminated string" },
		{ "\"a\tb\"", "control character in a string" },
		{ "\"\\x\"", "invalid escape in a string" },
		{ "\"\\u12\"", "invalid \\u escape" },
		{ "\"\\u12g4\"", "invalid \\u escape" },
		{ "'a'", "invalid JSON value" },
		{ "NaN", "invalid JSON value" },
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (!CHECK(read_text(bad[i].text, strlen(bad[i].text), 0,
		    &why) == -1) || !CHECK(why && strcmp(why, bad[i].why) == 0))
			printf("#   text: %s -> %s, want %s\n", bad[i].text,
			    why ? why : "accepted", bad[i].why);
	}
}

/* The decoded string of the one-string text s, or NULL with *why. */
static const char *
decode(const char *s, struct buf *tmp, size_t *n, const char **why)
{
	struct jsonr r;
	static struct jsonr_val v;

	jsonr_init(&r, s, strlen(s), 0);
	if (jsonr_value(&r, &v) < 0 || jsonr_end(&r) < 0) {
		*why = r.err;
		return NULL;
	}
	return jsonr_str(&v, tmp, n);
}

static void
surrogates(void)
{
	struct buf tmp = BUF_INIT;
	const char *s, *why = NULL;
	size_t n;

	s = decode("\"\\ud83d\\ude00\"", &tmp, &n, &why);
	CHECK_MEM(s, n, "\xf0\x9f\x98\x80");
	s = decode("\"a\\uD834\\uDD1Eb\"", &tmp, &n, &why);
	CHECK_MEM(s, n, "a\xf0\x9d\x84\x9e" "b");
	s = decode("\"\\udbff\\udfff\"", &tmp, &n, &why);
	CHECK_MEM(s, n, "\xf4\x8f\xbf\xbf");
	/* Lone surrogates, high or low, anywhere: an error. */
	CHECK(decode("\"\\ud800\"", &tmp, &n, &why) == NULL);
	CHECK(why && strstr(why, "lone surrogate"));
	CHECK(decode("\"\\udc00\"", &tmp, &n, &why) == NULL);
	CHECK(decode("\"\\ud800x\"", &tmp, &n, &why) == NULL);
	CHECK(decode("\"\\ud800\\u0041\"", &tmp, &n, &why) == NULL);
	CHECK(decode("\"\\ud800\\ud800\"", &tmp, &n, &why) == NULL);
	CHECK(decode("\"\\ude00\\ud83d\"", &tmp, &n, &why) == NULL);
	CHECK(read_text("{\"\\udfff\":1}", 12, 0, &why) == -1);
	CHECK(read_text("[[\"\\ud800\"]]", 12, 0, &why) == -1);
	buf_free(&tmp);
}

static void
escapes_and_nul(void)
{
	struct buf tmp = BUF_INIT;
	const char *s, *why = NULL;
	size_t n;

	s = decode("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\"", &tmp,
	    &n, &why);
	CHECK_MEM(s, n, "\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac");
	s = decode("\"a\\u0000b\"", &tmp, &n, &why);
	CHECK(s != NULL && n == 3 && memcmp(s, "a\0b", 3) == 0);
	CHECK(read_text("\"a\\u0000b\"", 10, JSONR_NONUL, &why) == -1);
	CHECK(why && strcmp(why, "NUL (\\u0000) in a string") == 0);
	CHECK(read_text("{\"k\\u0000\":1}", 13, JSONR_NONUL, &why) == -1);
	/* No escape: the string is its own bytes, no copy. */
	s = decode("\"plain\"", &tmp, &n, &why);
	CHECK_MEM(s, n, "plain");
	buf_free(&tmp);
}

static char *
nest(int depth, int obj)
{
	char *s = malloc((size_t)depth * 6 + 2), *p = s;
	int i;

	for (i = 0; i < depth; i++)
		p += obj ? (memcpy(p, "{\"a\":", 5), 5) : (*p = '[', 1);
	*p++ = '1';
	for (i = 0; i < depth; i++)
		*p++ = obj ? '}' : ']';
	*p = '\0';
	return s;
}

static void
depth(void)
{
	const char *why = NULL;
	char *s;

	s = nest(JSONR_MAXDEPTH, 0);
	CHECK(read_text(s, strlen(s), 0, &why) == 0);
	free(s);
	s = nest(JSONR_MAXDEPTH + 1, 0);
	CHECK(read_text(s, strlen(s), 0, &why) == -1);
	CHECK(why && strcmp(why, "nested too deeply") == 0);
	free(s);
	s = nest(JSONR_MAXDEPTH, 1);
	CHECK(read_text(s, strlen(s), 0, &why) == 0);
	free(s);
	s = nest(JSONR_MAXDEPTH + 1, 1);
	CHECK(read_text(s, strlen(s), 0, &why) == -1);
	free(s);
	/* 100000 open brackets: refused, no deep recursion. */
	s = malloc(100001);
	memset(s, '[', 100000);
	CHECK(read_text(s, 100000, 0, &why) == -1);
	free(s);
}

static void
utf8(void)
{
	static const char *const bad[] = {
		"\"\xc0\xaf\"",		/* overlong '/' */
		"\"\xe0\x80\xaf\"",	/* overlong, 3 bytes */
		"\"\xed\xa0\x80\"",	/* encoded surrogate U+D800 */
		"\"\xf4\x90\x80\x80\"",	/* above U+10FFFF */
		"\"\xe2\x82\"",		/* cut sequence */
		"\"\x80\"",		/* lone continuation byte */
		"\"\xff\"",
		"{\"\xc3\":1}",		/* in a member name */
	};
	static const char edges[] = "\"\xc2\x80\xdf\xbf\xe0\xa0\x80"
	    "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"";
	const char *why = NULL;
	size_t i;

	CHECK(read_text(edges, sizeof(edges) - 1, 0, &why) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK(read_text(bad[i], strlen(bad[i]), 0, &why) == -1);
		CHECK(why && strcmp(why, "invalid UTF-8") == 0);
	}
	/* Outside strings a high byte is no token. */
	CHECK(read_text("[\xc3\xa9]", 4, 0, &why) == -1);
}

static void
members(void)
{
	static const char text[] = " {\"id\": \"a\\nb\", \"n\" : -1.5e3,"
	    "\"t\":true,\"o\":{\"x\":[1,\"}\"]},\"z\":null} ";
	struct jsonr r;
	struct jsonr_val m, v;
	struct buf tmp = BUF_INIT;
	const char *s;
	size_t n;

	jsonr_init(&r, text, sizeof(text) - 1, 0);
	CHECK(jsonr_object(&r) == 0);
	CHECK(jsonr_member(&r, &m) == 1);
	CHECK_MEM(m.str, m.slen, "id");
	CHECK(jsonr_value(&r, &v) == 0 && v.kind == JSONR_STRING && v.escaped);
	CHECK_MEM(v.raw, v.len, "\"a\\nb\"");
	s = jsonr_str(&v, &tmp, &n);
	CHECK_MEM(s, n, "a\nb");
	CHECK(jsonr_member(&r, &m) == 1);
	CHECK_MEM(m.str, m.slen, "n");
	CHECK(jsonr_value(&r, &v) == 0 && v.kind == JSONR_NUMBER);
	CHECK_MEM(v.raw, v.len, "-1.5e3");
	CHECK(jsonr_member(&r, &m) == 1 && jsonr_value(&r, &v) == 0);
	CHECK(v.kind == JSONR_TRUE);
	CHECK(jsonr_member(&r, &m) == 1 && jsonr_value(&r, &v) == 0);
	CHECK(v.kind == JSONR_OBJECT);
	CHECK_MEM(v.raw, v.len, "{\"x\":[1,\"}\"]}");
	CHECK(jsonr_member(&r, &m) == 1 && jsonr_value(&r, &v) == 0);
	CHECK(v.kind == JSONR_NULL);
	CHECK(jsonr_member(&r, &m) == 0);
	CHECK(jsonr_end(&r) == 0);

	/* Into a member's object, and out again. */
	jsonr_init(&r, "{\"a\":{\"b\":2},\"c\":3}", 19, 0);
	CHECK(jsonr_object(&r) == 0 && jsonr_member(&r, &m) == 1);
	CHECK(jsonr_object(&r) == 0 && jsonr_member(&r, &m) == 1);
	CHECK_MEM(m.str, m.slen, "b");
	CHECK(jsonr_value(&r, &v) == 0 && jsonr_member(&r, &m) == 0);
	CHECK(jsonr_member(&r, &m) == 1);
	CHECK_MEM(m.str, m.slen, "c");
	CHECK(jsonr_value(&r, &v) == 0 && jsonr_member(&r, &m) == 0);
	CHECK(jsonr_end(&r) == 0);

	/* Only the bytes up to a member are read: a broken tail is unseen. */
	jsonr_init(&r, "{\"url\":\"x\",\"b\":\xff", 16, 0);
	CHECK(jsonr_object(&r) == 0 && jsonr_member(&r, &m) == 1);
	CHECK(jsonr_value(&r, &v) == 0);
	CHECK_MEM(v.str, v.slen, "x");
	CHECK(jsonr_member(&r, &m) == 1 && jsonr_value(&r, &v) == -1);
	/* After an error every call fails. */
	CHECK(jsonr_member(&r, &m) == -1 && jsonr_end(&r) == -1);
	buf_free(&tmp);
}

static void
errors(void)
{
	struct jsonr r;
	struct jsonr_val v;
	char msg[64];

	jsonr_init(&r, "[1, 2, x]", 9, 0);
	CHECK(jsonr_value(&r, &v) == -1);
	CHECK(r.errpos == 7);
	CHECK(jsonr_error(&r, msg, sizeof(msg)) == -1);
	CHECK(strcmp(msg, "invalid JSON value at byte 8") == 0);
	jsonr_init(&r, "[1]", 3, 0);
	CHECK(jsonr_object(&r) == -1 && strcmp(r.err, "not a JSON object") == 0);
}

int
main(void)
{
	TEST("jsonr: a corpus of valid texts is accepted", valid_corpus());
	TEST("jsonr: a corpus of invalid texts is refused, each with its reason",
	    invalid_corpus());
	TEST("jsonr: surrogate pairs decode; a lone surrogate is an error",
	    surrogates());
	TEST("jsonr: escapes decode; JSONR_NONUL refuses \\u0000", escapes_and_nul());
	TEST("jsonr: nesting up to JSONR_MAXDEPTH, no deeper", depth());
	TEST("jsonr: only valid shortest-form UTF-8 without surrogates", utf8());
	TEST("jsonr: members pulled one by one, with kinds, spans and strings",
	    members());
	TEST("jsonr: an error says why and where", errors());
	return unit_done();
}
