/* kpart.c: librdkafka's consistent partitioning, computed up front. */
#include "kpart.h"

/* Slicing-by-8: tab[k][b] is the CRC of byte b followed by k zero bytes. */
static uint32_t tab[8][256];
static int tab_ready;

static void
crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			tab[j][i] = tab[0][tab[j - 1][i] & 0xFF] ^
			    (tab[j - 1][i] >> 8);
	tab_ready = 1;
}

uint32_t
kpart_crc32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t c = 0xFFFFFFFFu, lo, hi;

	if (!tab_ready)
		crc_init();
	for (; n >= 8; n -= 8, s += 8) {
		/* Little-endian words, byte by byte: no alignment needed. */
		lo = c ^ ((uint32_t)s[0] | (uint32_t)s[1] << 8 |
		    (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24);
		hi = (uint32_t)s[4] | (uint32_t)s[5] << 8 |
		    (uint32_t)s[6] << 16 | (uint32_t)s[7] << 24;
		c = tab[7][lo & 0xFF] ^ tab[6][(lo >> 8) & 0xFF] ^
		    tab[5][(lo >> 16) & 0xFF] ^ tab[4][lo >> 24] ^
		    tab[3][hi & 0xFF] ^ tab[2][(hi >> 8) & 0xFF] ^
		    tab[1][(hi >> 16) & 0xFF] ^ tab[0][hi >> 24];
	}
	while (n--)
		c = tab[0][(c ^ *s++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

int32_t
kpart_consistent(const void *key, size_t keylen, int32_t cnt)
{
	return (int32_t)(kpart_crc32(key, keylen) % (uint32_t)cnt);
}
