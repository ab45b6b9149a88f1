/*
 * fuzz-jsonr.c: libFuzzer target for the JSON reader. Each input is read
 * as one JSON text, with and without JSONR_NONUL, and compared with what
 * jansson makes of it: both accept or both refuse (but for the reader's
 * lower depth limit and jansson's number range), and every string, member
 * name and member value the reader hands out decodes as jansson's does.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * jansson refuses numbers it cannot hold (1e400, 2^64) and a \u0000 in a
 * member name, which JSON allows.
 */
static int
jansson_limit(const json_error_t *jerr)
{
	return json_error_code(jerr) == json_error_numeric_overflow ||
	    json_error_code(jerr) == json_error_null_byte_in_key;
}

/* The value text raw[0..n) must be one JSON value to jansson too. */
static json_t *
reload(const char *raw, size_t n)
{
	json_t *j = json_loadb(raw, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

	if (j == NULL)
		abort();
	return j;
}

static void
check_string(const struct jsonr_val *v, struct buf *tmp)
{
	json_t *j = reload(v->raw, v->len);
	const char *s;
	size_t n;

	if (v->kind != JSONR_STRING || !json_is_string(j) ||
	    v->raw[0] != '"' || v->raw[v->len - 1] != '"' ||
	    v->str != v->raw + 1 || v->slen != v->len - 2)
		abort();
	s = jsonr_str(v, tmp, &n);
	if (n != json_string_length(j) ||
	    (n > 0 && memcmp(s, json_string_value(j), n) != 0))
		abort();
	if (!v->escaped && memchr(v->str, '\\', v->slen) != NULL)
		abort();
	json_decref(j);
}

static void
check_value(const struct jsonr_val *v, struct buf *tmp)
{
	json_error_t jerr;
	json_t *j;
	int want;

	if (v->kind == JSONR_STRING) {
		check_string(v, tmp);
		return;
	}
	j = json_loadb(v->raw, v->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (j == NULL) {
		if (!jansson_limit(&jerr))
			abort();
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT: want = JSONR_OBJECT; break;
	case JSON_ARRAY: want = JSONR_ARRAY; break;
	case JSON_INTEGER: case JSON_REAL: want = JSONR_NUMBER; break;
	case JSON_TRUE: want = JSONR_TRUE; break;
	case JSON_FALSE: want = JSONR_FALSE; break;
	default: want = JSONR_NULL;
	}
	if (v->kind != want)
		abort();
	json_decref(j);
}

/* Pull the members of the object at the start of the text, if it is one. */
static void
pull_members(const char *s, size_t n, int flags, int whole_ok)
{
	struct jsonr r;
	struct jsonr_val name, v;
	struct buf tmp = BUF_INIT;
	int rc;

	jsonr_init(&r, s, n, flags);
	if (jsonr_object(&r) < 0)
		goto out;
	while ((rc = jsonr_member(&r, &name)) == 1) {
		check_string(&name, &tmp);
		if (jsonr_value(&r, &v) < 0)
			break;
		check_value(&v, &tmp);
	}
out:
	/* The pulled members and the whole text agree on the verdict. */
	if ((r.err == NULL && jsonr_end(&r) == 0) != whole_ok)
		abort();
	buf_free(&tmp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct jsonr r;
	struct jsonr_val v;
	struct buf tmp = BUF_INIT;
	json_error_t jerr;
	json_t *root;
	int ok, ok_nonul, jansson_ok, kind = 0;

	root = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	/* jansson lets a raw NUL byte between tokens pass; JSON does not. */
	jansson_ok = root != NULL && memchr(s, '\0', size) == NULL;

	jsonr_init(&r, s, size, 0);
	ok = jsonr_value(&r, &v) == 0 && jsonr_end(&r) == 0;
	if (ok) {
		if (!jansson_ok && !jansson_limit(&jerr))
			abort();
		check_value(&v, &tmp);
		kind = v.kind;
	} else {
		if (r.err == NULL || r.errpos > size)
			abort();
		if (jansson_ok && strcmp(r.err, "nested too deeply") != 0)
			abort();
	}

	/* JSONR_NONUL refuses exactly the texts with a \u0000 in a string. */
	jsonr_init(&r, s, size, JSONR_NONUL);
	ok_nonul = jsonr_value(&r, &v) == 0 && jsonr_end(&r) == 0;
	if (ok_nonul && !ok)
		abort();
	if (ok && !ok_nonul && strcmp(r.err, "NUL (\\u0000) in a string") != 0)
		abort();

	pull_members(s, size, 0, ok && kind == JSONR_OBJECT);
	json_decref(root);
	buf_free(&tmp);
	return 0;
}
