/* uuid5.c: SHA-1 (FIPS 180-4) and UUID version 5 on top of it. */
#include "state/uuid5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

struct sha1ctx {
	uint32_t h[5];
	uint64_t len;
	unsigned char blk[64];
	size_t n;
};

static void
sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
		else
			f = b ^ c ^ d, k = 0xca62c1d6;
		t = ROL(a, 5) + f + e + k + w[i];
		e = d, d = c, c = ROL(b, 30), b = a, a = t;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

static void
sha1_update(struct sha1ctx *c, const unsigned char *p, size_t n)
{
	c->len += n;
	while (n > 0) {
		size_t k = 64 - c->n < n ? 64 - c->n : n;

		memcpy(c->blk + c->n, p, k);
		c->n += k, p += k, n -= k;
		if (c->n == 64) {
			sha1_block(c->h, c->blk);
			c->n = 0;
		}
	}
}

void
sha1(const void *p, size_t n, unsigned char out[20])
{
	struct sha1ctx c = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
	    0xc3d2e1f0 }, 0, { 0 }, 0 };
	unsigned char pad[72];
	uint64_t bits;
	size_t padn;
	int i;

	sha1_update(&c, p, n);
	bits = c.len * 8;
	padn = (c.n < 56 ? 56 : 120) - c.n;
	memset(pad, 0, sizeof pad);
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[padn + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(&c, pad, padn + 8);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(c.h[i / 4] >> (24 - 8 * (i % 4)));
}

void
uuid5_make(char out[UUID_STRLEN], const unsigned char ns[16], const char *name,
    size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char stack[256], d[20], *m = stack;
	int i, j;

	if (n > sizeof stack - 16)
		m = xmalloc(n + 16);
	memcpy(m, ns, 16);
	memcpy(m + 16, name, n);
	sha1(m, n + 16, d);
	if (m != stack)
		free(m);
	d[6] = (unsigned char)(0x50 | (d[6] & 0x0f));
	d[8] = (unsigned char)(0x80 | (d[8] & 0x3f));
	for (i = 0, j = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[d[i] >> 4];
		out[j++] = hex[d[i] & 15];
	}
	out[j] = '\0';
}
