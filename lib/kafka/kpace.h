/*
 * kpace.h: how many bytes an idempotent producer lets wait in librdkafka.
 *
 * librdkafka 2.0.2, when idempotent, has at most one produce request out
 * per partition. While it is out, the I/O thread finds the partition's next
 * batch ready (full, or older than linger.ms) but may not send it, and
 * polls again without sleeping until the answer comes: 894,000 poll()
 * calls for 1M lines into 3 partitions instead of 1,200, and 0.85 s of CPU
 * for that thread instead of 0.2 s, taken from the broker's own CPU when
 * both share a host. Holding about one and a half batches per partition
 * lets the next batch fill while one is out, and no more.
 */
#ifndef WEBMON_KPACE_H
#define WEBMON_KPACE_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

struct kpace {
	size_t per_part;	/* bytes allowed per partition; 0: no limit */
	size_t held;		/* bytes queued and not yet reported */
};

/* Set kp up for rk's configuration: a limit only when it is idempotent. */
void kpace_init(struct kpace *kp, rd_kafka_t *rk);
/*
 * 1 if adding bytes more now would hold more than nparts partitions' worth
 * (nparts 0: unknown, no limit); something held is never over.
 */
int kpace_over(const struct kpace *kp, int32_t nparts, size_t bytes);

#endif
