/*
 * fuzz-copyrow.c: libFuzzer target for the NDJSON to COPY row encoder.
 * Every row it accepts is read back with COPY's text-format rules and
 * compared with what jansson makes of the same line.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pg/copyrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A mix of the column kinds of wm_results: text, numbers, jsonb, defaults. */
static const struct copycol cols[] = {
	{ "id", 0, 0 },
	{ "ts", 0, 0 },
	{ "url", 0, -1 },
	{ "name", 0, -1 },
	{ "ok", 0, -1 },
	{ "status", 0, -1 },
	{ "time_ms", 0, -1 },
	{ "tags", 1, -1 },
	{ "detail", 0, 0 },
	{ "extra", 1, 0 },
	{ "match", 0, -1 },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* Undo COPY text escaping of field[0..n); NULL for \N. Caller frees. */
static char *
copy_unescape(const char *f, size_t n, size_t *outlen)
{
	char *o;
	size_t i, j = 0;

	if (n == 2 && f[0] == '\\' && f[1] == 'N')
		return NULL;
	o = malloc(n + 1);
	for (i = 0; i < n; i++) {
		if (f[i] != '\\') {
			o[j++] = f[i];
			continue;
		}
		if (++i >= n)
			abort();	/* a lone trailing backslash */
		switch (f[i]) {
		case '\\': o[j++] = '\\'; break;
		case 't': o[j++] = '\t'; break;
		case 'n': o[j++] = '\n'; break;
		case 'r': o[j++] = '\r'; break;
		default: abort();	/* copyrow writes no other escape */
		}
	}
	o[j] = '\0';
	*outlen = j;
	return o;
}

/* The last member named name (jansson keeps the last of duplicates). */
static void
check_field(const struct copycol *c, json_t *root, const char *f, size_t n)
{
	json_t *v = root ? json_object_get(root, c->name) : NULL;
	char *val;
	size_t vlen;

	val = copy_unescape(f, n, &vlen);
	if (root == NULL) {
		free(val);
		return;
	}
	if (val == NULL) {
		if (v != NULL && !json_is_null(v))
			abort();
		return;
	}
	if (v == NULL)
		abort();
	if (c->is_json) {
		json_t *back = json_loadb(val, vlen, JSON_DECODE_ANY, NULL);

		if (back == NULL || !json_equal(back, v))
			abort();
		json_decref(back);
	} else if (json_is_string(v)) {
		if (vlen != json_string_length(v) ||
		    memcmp(val, json_string_value(v), vlen) != 0)
			abort();
	} else if (json_is_true(v)) {
		if (strcmp(val, "true") != 0)
			abort();
	} else if (json_is_false(v)) {
		if (strcmp(val, "false") != 0)
			abort();
	}
	free(val);
}

static void
run(int strict, const char *line, size_t len, json_t *root, int jansson_ok,
    int overflow)
{
	struct copyrow cr;
	struct buf out = BUF_INIT;
	uint64_t absent = 0;
	char err[256];
	const char *p, *end;
	size_t i;
	int rc;

	copyrow_init(&cr, cols, NCOLS, strict);
	buf_puts(&out, "previous\n");
	rc = copyrow_convert(&cr, line, len, &out, &absent, err, sizeof(err));
	if (rc < 0) {
		if (out.len != 9 || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		/* jansson took it: only our stricter rules may refuse it. */
		if (jansson_ok && strstr(err, "nested") == NULL &&
		    strstr(err, "unknown key") == NULL)
			abort();
		copyrow_free(&cr);
		buf_free(&out);
		return;
	}
	if (rc != 0 || out.len < 10 || out.data[out.len - 1] != '\n')
		abort();
	/* Accepted: it must be JSON, unless only a number was too big. */
	if (!jansson_ok && !overflow)
		abort();
	p = out.data + 9;
	end = out.data + out.len - 1;
	if (memchr(p, '\n', (size_t)(end - p)) != NULL ||
	    memchr(p, '\r', (size_t)(end - p)) != NULL ||
	    memchr(p, '\0', (size_t)(end - p)) != NULL)
		abort();
	for (i = 0; i < NCOLS; i++) {
		const char *tab;

		/* copyrow_init numbers the defaults: its copy has the bits. */
		if (cr.cols[i].defbit >= 0 && (absent >> cr.cols[i].defbit & 1)) {
			if (root && json_object_get(root, cols[i].name) != NULL)
				abort();
			continue;
		}
		if (p > end)
			abort();	/* fewer fields than columns */
		tab = memchr(p, '\t', (size_t)(end - p));
		if (tab == NULL)
			tab = end;
		check_field(&cols[i], root, p, (size_t)(tab - p));
		p = tab < end ? tab + 1 : end + 1;
	}
	if (p != end + 1)
		abort();	/* more fields than columns */
	/* The converter is reusable: a second row comes out the same. */
	{
		struct buf again = BUF_INIT;
		uint64_t absent2;

		if (copyrow_convert(&cr, line, len, &again, &absent2, err,
		    sizeof(err)) != 0 || absent2 != absent ||
		    again.len != out.len - 9 ||
		    memcmp(again.data, out.data + 9, again.len) != 0)
			abort();
		buf_free(&again);
	}
	copyrow_free(&cr);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root;
	char *line;
	int jansson_ok, overflow;

	line = malloc(size ? size : 1);
	memcpy(line, data, size);
	root = json_loadb(line, size, 0, &jerr);
	/* jansson lets a raw NUL byte between tokens pass; copyrow does not. */
	jansson_ok = root != NULL && json_is_object(root) &&
	    memchr(data, '\0', size) == NULL;
	if (root != NULL && !json_is_object(root)) {
		json_decref(root);
		root = NULL;
	}
	/*
	 * jansson refuses numbers it cannot hold (1e400, 2^64); copyrow passes
	 * their text on to PostgreSQL, so such lines are only checked for
	 * memory safety and row shape.
	 */
	overflow = root == NULL &&
	    json_error_code(&jerr) == json_error_numeric_overflow;
	run(0, line, size, root, jansson_ok, overflow);
	run(1, line, size, root, jansson_ok, overflow);
	json_decref(root);
	free(line);
	return 0;
}
