/*
 * kpart.h: the partition librdkafka's default "consistent_random" and
 * "consistent" partitioners choose for a key (CRC-32 of the key modulo the
 * partition count), so a producer can group messages by partition itself.
 */
#ifndef WEBMON_KPART_H
#define WEBMON_KPART_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of n bytes. */
uint32_t kpart_crc32(const void *p, size_t n);
/* Partition of key among cnt (> 0) partitions, as librdkafka picks it. */
int32_t kpart_consistent(const void *key, size_t keylen, int32_t cnt);

#endif
