/* uuid7.c: UUID version 7 with a 12-bit counter for order within a millisecond. */
#include "uuid7.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util.h"

static void
fill_random(unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0)
			die("getrandom:");
		p += r;
		n -= (size_t)r;
	}
}

void
uuid7_make(char out[UUID_STRLEN], int64_t unix_ms)
{
	static int64_t last_ms = -1;
	static unsigned counter;
	unsigned char u[16];
	int i;

	fill_random(u, sizeof(u));
	/* RFC 9562 method 1: a counter in rand_a, reseeded every new millisecond. */
	if (unix_ms <= last_ms) {
		unix_ms = last_ms;
		if (++counter > 0xfff) {
			unix_ms = ++last_ms;	/* counter exhausted: borrow the next ms */
			counter = 0;
		}
	} else {
		last_ms = unix_ms;
		counter = ((unsigned)u[6] << 8 | u[7]) & 0x7ff;	/* leave headroom */
	}
	for (i = 0; i < 6; i++)
		u[i] = (unsigned char)(unix_ms >> (40 - 8 * i));
	u[6] = (unsigned char)(0x70 | (counter >> 8));
	u[7] = (unsigned char)(counter & 0xff);
	u[8] = (unsigned char)(0x80 | (u[8] & 0x3f));
	snprintf(out, UUID_STRLEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
	    u[11], u[12], u[13], u[14], u[15]);
}
