/*
 * kbatch.h: lines gathered for a Kafka producer, grouped by partition and
 * handed to librdkafka with one rd_kafka_produce_batch() call per partition:
 * that takes the partition's lock once per batch instead of once per line.
 * A keyed line gets the partition librdkafka's default partitioner would
 * give it, when the caller knows the partition count; other lines go to
 * RD_KAFKA_PARTITION_UA and librdkafka picks. With headers (kcat's -H),
 * which rd_kafka_produce_batch() cannot send, each line goes through
 * rd_kafka_producev() instead.
 */
#ifndef WEBMON_KBATCH_H
#define WEBMON_KBATCH_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "buf.h"

struct kbatch_msg {
	size_t off, len;	/* payload in the arena, off SIZE_MAX: NULL */
	size_t keyoff, keylen;	/* key in the arena, keyoff SIZE_MAX: none */
	void *opq;
	int32_t bucket;		/* partition, or nparts for "librdkafka picks" */
};

struct kbatch {
	struct buf arena;	/* keys and payloads, copied */
	struct kbatch_msg *msgs;	/* owned; n used of cap */
	size_t n, cap;
	int32_t nparts;		/* buckets 0..nparts-1: partitions; nparts: any */
	size_t *count;		/* owned; per bucket, nparts + 2 */
	rd_kafka_message_t *rkm;	/* owned; cap */
	const rd_kafka_headers_t *hdrs;	/* sent with every line, or NULL */
	rd_kafka_t *rk;		/* the producer, needed with hdrs */
};

#define KBATCH_INIT { BUF_INIT, NULL, 0, 0, 0, NULL, NULL, NULL, NULL }

/* How kbatch_flush() reports; arg is passed back to every call. */
struct kbatch_cb {
	void *arg;
	/* n more messages, bytes of keys and payloads, went into librdkafka's
	 * queue. */
	void (*queued)(void *arg, size_t n, size_t bytes);
	/* m was refused; why is not the caller's to free. */
	void (*failed)(void *arg, const rd_kafka_message_t *m, const char *why);
	/* The queue is full: nonzero to wait and try again, 0 to give up. */
	int (*retry)(void *arg);
	/* Wait a little for the queue to make room (serve delivery reports). */
	void (*wait)(void *arg);
};

/*
 * Add a line; key NULL for none, payload NULL for a NULL payload. key and
 * payload are copied. nparts, the partition count (0: unknown), is read
 * only when b is empty.
 */
void kbatch_add(struct kbatch *b, int32_t nparts, const char *key,
    size_t keylen, const char *payload, size_t len, void *opq);
/*
 * Produce every line to rkt (partition fixed, or RD_KAFKA_PARTITION_UA to
 * group by key as above), with b->hdrs (not owned; b->rk set) when not
 * NULL, and empty b; outcomes go through cb.
 */
void kbatch_flush(struct kbatch *b, rd_kafka_topic_t *rkt, int32_t partition,
    const struct kbatch_cb *cb);
/* Free b's storage; b is empty and reusable afterwards. */
void kbatch_free(struct kbatch *b);

#endif
