/*
 * fuzz-statusset.c: libFuzzer target for status-code sets. Whatever parses
 * must format to text that parses again to the same set of codes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/statusset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct statusset set = STATUSSET_DEFAULT, again = STATUSSET_DEFAULT;
	char err[256], small[8], *text, *out;
	size_t outsize;
	long code;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (statusset_parse(&set, text, err, sizeof(err)) < 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		free(text);
		return 0;
	}
	if (set.n == 0 || set.r == NULL)
		abort();
	for (code = -1; code <= 1000; code++) {
		int has = statusset_has(&set, code);

		if (has && (code < 100 || code > 999))
			abort();
	}
	/* A short buffer truncates but stays a string. */
	memset(small, 'x', sizeof(small));
	statusset_format(&set, small, sizeof(small));
	if (memchr(small, '\0', sizeof(small)) == NULL)
		abort();
	statusset_format(&set, small, 0);

	outsize = set.n * 9 + 16;
	out = malloc(outsize);
	statusset_format(&set, out, outsize);
	if (statusset_parse(&again, out, err, sizeof(err)) < 0)
		abort();
	for (code = 0; code <= 1000; code++)
		if (statusset_has(&set, code) != statusset_has(&again, code))
			abort();
	statusset_free(&again);
	statusset_free(&set);
	if (set.n != 0 || set.r != NULL)
		abort();
	free(out);
	free(text);
	return 0;
}
