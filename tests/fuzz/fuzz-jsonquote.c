/*
 * fuzz-jsonquote.c: libFuzzer target for json_quote. Any bytes must come
 * out as one JSON string on one line that jansson reads back; valid UTF-8
 * must come back unchanged.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	json_error_t jerr;
	json_t *v;

	buf_puts(&b, "x");
	json_quote(&b, (const char *)data, size);
	if (b.len < 3 || b.data[1] != '"' || b.data[b.len - 1] != '"' ||
	    b.data[b.len] != '\0')
		abort();
	if (memchr(b.data, '\n', b.len) != NULL ||
	    memchr(b.data, '\r', b.len) != NULL ||
	    memchr(b.data, '\0', b.len) != NULL)
		abort();
	v = json_loadb(b.data + 1, b.len - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    &jerr);
	if (v == NULL || !json_is_string(v))
		abort();
	if (utf8_valid((const char *)data, size) &&
	    (json_string_length(v) != size ||
	    memcmp(json_string_value(v), data, size) != 0))
		abort();
	json_decref(v);
	buf_free(&b);
	return 0;
}
