/* kpart.c: librdkafka's consistent partitioning, computed up front. */
#include "kpart.h"

static uint32_t crc_table[256];
static int crc_ready;

static void
crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = 1;
}

uint32_t
kpart_crc32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t c = 0xFFFFFFFFu;

	if (!crc_ready)
		crc_init();
	while (n--)
		c = crc_table[(c ^ *s++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

int32_t
kpart_consistent(const void *key, size_t keylen, int32_t cnt)
{
	return (int32_t)(kpart_crc32(key, keylen) % (uint32_t)cnt);
}
