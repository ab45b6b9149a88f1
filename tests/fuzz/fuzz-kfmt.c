/*
 * fuzz-kfmt.c: libFuzzer target for kcat's -f formats and -K/-D
 * delimiters. The input up to the first NUL is a format (and a delimiter);
 * the rest is a message's payload. Every format accepted is rendered, and
 * one that kfmt_one_line() calls one line must make exactly one line when
 * no field holds a newline.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kafka/kdelim.h"
#include "kafka/kfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	struct kfmt_msg m = { "topic", 3, 42, 1700000000000, "key", NULL, 3, 0,
	    NULL };
	struct buf out = BUF_INIT;
	struct kfmt f;
	char *fmt, *d, err[512];
	size_t n = nul ? (size_t)(nul - data) : size, i, nl = 0;
	int plain;

	fmt = malloc(n + 1);
	memcpy(fmt, data, n);
	fmt[n] = '\0';
	if (nul) {
		m.payload = nul + 1;
		m.len = size - n - 1;
	}
	if ((d = kdelim_decode(fmt, NULL, err, sizeof(err))) != NULL)
		free(d);
	if (kfmt_parse(&f, fmt, err, sizeof(err)) == 0) {
		kfmt_render(&f, &out, &m);
		plain = !(m.payload && memchr(m.payload, '\n', m.len)) &&
		    strstr(fmt, "%R") == NULL;
		for (i = 0; i < out.len; i++)
			nl += out.data[i] == '\n';
		if (kfmt_one_line(&f) && plain &&
		    (nl != 1 || out.data[out.len - 1] != '\n'))
			abort();
		kfmt_free(&f);
	}
	buf_free(&out);
	free(fmt);
	return 0;
}
