/*
 * fuzz-lines.c: libFuzzer target for the line reader. The first two bytes
 * choose the length limit; the rest is read from a memory file and must
 * come back as the same lines a plain split on '\n' gives.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct lines l;
	const char *p, *end;
	unsigned long n = 0;
	size_t max;
	int rc;

	if (size < 2)
		return 0;
	max = (size_t)(data[0] | data[1] << 8) % 300;
	data += 2, size -= 2;
	if (fd < 0 && (fd = memfd_create("fuzz-lines", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();

	lines_init(&l, fd, "fuzz", max);
	p = (const char *)data;
	end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t full = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t want = full;
		char *line;
		size_t len;

		/* One CR before the end goes, unless the line is too long anyway. */
		if (full > 0 && p[full - 1] == '\r' && full <= max + 1)
			want--;
		rc = lines_next(&l, &line, &len);
		n++;
		if (l.lineno != n || line[len] != '\0')
			abort();
		if (want > max) {
			if (rc != LINES_TOOLONG || len != max ||
			    memcmp(line, p, max) != 0)
				abort();
		} else if (rc != LINES_OK || len != want ||
		    memcmp(line, p, want) != 0)
			abort();
		p = nl ? nl + 1 : end;
	}
	{
		char *line;
		size_t len;

		if (lines_next(&l, &line, &len) != LINES_EOF || l.lineno != n)
			abort();
	}
	lines_free(&l);
	return 0;
}
