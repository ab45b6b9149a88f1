/*
 * fuzz-checks.c: libFuzzer target for the parsers of a site's checks: an
 * RFC 6901 JSON Pointer (first line of the input) evaluated on a JSON
 * document (the rest), and ${...} secret references (the whole input).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/checks.h"
#include "probe/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size, n;
	char *ptr, *out = NULL, err[256];
	json_error_t jerr;
	json_t *doc, *v;
	int rc;

	ptr = malloc(plen + 1);
	memcpy(ptr, data, plen);
	ptr[plen] = '\0';
	if (strlen(ptr) == plen && jpointer_check(ptr, err, sizeof(err)) == 0 &&
	    nl != NULL) {
		doc = json_loadb((const char *)nl + 1, size - plen - 1,
		    JSON_DECODE_ANY, &jerr);
		if (doc != NULL) {
			v = jpointer_get(doc, ptr);
			if (*ptr == '\0' && v != doc)
				abort();
			json_decref(doc);
		}
	} else if (*ptr == '\0' && nl != NULL && jpointer_check(ptr, err,
	    sizeof(err)) < 0)
		abort();	/* "" is the whole document */
	free(ptr);

	/* Only environment references: files are the file system's business. */
	if (size < 4096 && memmem(data, size, "${file:", 7) == NULL) {
		rc = secret_expand((const char *)data, size, &out, &n, err,
		    sizeof(err));
		if (rc == 1) {
			if (out[n] != '\0')
				abort();
			free(out);
		} else if (rc == -1 && memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		else if (rc != 0 && rc != -1)
			abort();
	}
	return 0;
}
