/*
 * test-kbatch.c: per-partition batches and librdkafka's key partitioning
 * (lib/kafka/kbatch.c, lib/kafka/kpart.c). A producer with no broker
 * queues what it is given, which is all kbatch_flush() needs.
 */
#include <stdint.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "kafka/kbatch.h"
#include "kafka/kpart.h"
#include "unit.h"

static rd_kafka_t *rk;
static rd_kafka_topic_t *rkt;

static int
setup(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];

	rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) ==
	    NULL) {
		printf("# rd_kafka_new: %s\n", err);
		return -1;
	}
	rkt = rd_kafka_topic_new(rk, "unit", NULL);
	return 0;
}

static void
crc32(void)
{
	/* The CRC-32 check value, and zlib's crc32() of a few strings. */
	CHECK(kpart_crc32("123456789", 9) == 0xcbf43926u);
	CHECK(kpart_crc32("", 0) == 0);
	CHECK(kpart_crc32("a", 1) == 0xe8b7be43u);
	CHECK(kpart_crc32("https://example.com/", 20) == 0x682df0d4u);
	CHECK(kpart_crc32("https://site1234.example.com/path/56", 36) ==
	    0xc7e68b3du);
	/* Eight bytes at a time: every byte value, every tail length. */
	{
		unsigned char all[771];
		size_t i;

		for (i = 0; i < 768; i++)
			all[i] = (unsigned char)i;
		memcpy(all + 768, "xyz", 3);
		CHECK(kpart_crc32(all, sizeof(all)) == 0x43906281u);
	}
}

static void
same_as_librdkafka(void)
{
	char key[64];
	int32_t cnt;
	int i, n;

	for (cnt = 1; cnt <= 12; cnt++)
		for (i = 0; i < 500; i++) {
			n = snprintf(key, sizeof(key), "https://site%d.example/", i);
			if (!CHECK(kpart_consistent(key, (size_t)n, cnt) ==
			    rd_kafka_msg_partitioner_consistent(rkt, key,
			    (size_t)n, cnt, NULL, NULL))) {
				printf("#   key %s, %d partitions\n", key, cnt);
				return;
			}
		}
}

struct seen {
	size_t queued, bytes, failed, waits;
};

static void
on_queued(void *arg, size_t n, size_t bytes)
{
	((struct seen *)arg)->queued += n;
	((struct seen *)arg)->bytes += bytes;
}

static void
on_failed(void *arg, const rd_kafka_message_t *m, const char *why)
{
	((struct seen *)arg)->failed++;
	printf("# failed: %s\n", why);
}

static int
on_retry(void *arg)
{
	return 0;
}

static void
on_wait(void *arg)
{
	((struct seen *)arg)->waits++;
}

static void
grouping(void)
{
	struct kbatch b = KBATCH_INIT;
	struct seen seen = { 0, 0, 0, 0 };
	struct kbatch_cb cb = { &seen, on_queued, on_failed, on_retry, on_wait };
	char key[32], payload[32];
	size_t i, j, n, bytes = 0;
	int32_t prev = -1;

	/* 100 lines: keyed ones by partition of 4, every fifth without a key. */
	for (i = 0; i < 100; i++) {
		n = (size_t)snprintf(key, sizeof(key), "k%zu", i % 7);
		snprintf(payload, sizeof(payload), "line %zu", i);
		kbatch_add(&b, 4, i % 5 == 0 ? NULL : key, n, payload,
		    strlen(payload), (void *)(uintptr_t)(i + 1));
		bytes += strlen(payload) + (i % 5 == 0 ? 0 : n);
	}
	CHECK(b.n == 100 && b.nparts == 4);
	for (i = 0; i < 100; i++) {
		const struct kbatch_msg *m = &b.msgs[i];

		n = (size_t)snprintf(key, sizeof(key), "k%zu", i % 7);
		if (i % 5 == 0)
			CHECK(m->bucket == 4 && m->keyoff == SIZE_MAX);
		else
			CHECK(m->bucket == kpart_consistent(key, n, 4) &&
			    m->keylen == n &&
			    memcmp(b.arena.data + m->keyoff, key, n) == 0);
	}
	kbatch_flush(&b, rkt, RD_KAFKA_PARTITION_UA, &cb);
	CHECK(seen.queued == 100 && seen.failed == 0 && seen.waits == 0);
	CHECK(seen.bytes == bytes);	/* keys and payloads, for pacing */
	CHECK(b.n == 0 && b.arena.len == 0);
	/* Handed over grouped by bucket, input order kept inside each. */
	for (i = 0, j = 0; i < 100; i++) {
		uintptr_t line = (uintptr_t)b.rkm[i]._private - 1;
		int32_t bucket = line % 5 == 0 ? 4 : kpart_consistent(key,
		    (size_t)snprintf(key, sizeof(key), "k%zu",
		    (size_t)line % 7), 4);

		CHECK(bucket >= prev);
		if (bucket == prev)
			CHECK(line > j);
		prev = bucket;
		j = line;
	}
	/* The partition count is read only when the batch is empty. */
	kbatch_add(&b, 0, "k", 1, "x", 1, NULL);
	kbatch_add(&b, 8, "k", 1, "y", 1, NULL);
	CHECK(b.nparts == 0 && b.msgs[1].bucket == 0);
	kbatch_flush(&b, rkt, 2, &cb);		/* a fixed partition */
	CHECK(seen.queued == 102 && seen.bytes == bytes + 4);
	kbatch_free(&b);
	CHECK(b.n == 0 && b.msgs == NULL);
}

int
main(void)
{
	if (setup() < 0)
		return 1;
	TEST("kpart: CRC-32 as zlib's", crc32());
	TEST("kpart: the partition librdkafka's consistent partitioner picks",
	    same_as_librdkafka());
	TEST("kbatch: lines grouped by partition in order, unkeyed ones apart",
	    grouping());
	rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return unit_done();
}
