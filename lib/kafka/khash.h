/*
 * khash.h: let a producer hash keys to partitions itself (kpart.h), as
 * librdkafka's default partitioner would, once librdkafka has told it the
 * topic's partition count.
 */
#ifndef WEBMON_KHASH_H
#define WEBMON_KHASH_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

/*
 * Whether keys can be hashed here: keyed lines, no fixed partition (UA) and
 * conf's partitioner (-X/-F) librdkafka's consistent or consistent_random.
 */
int khash_possible(rd_kafka_conf_t *conf, int32_t partition, int keyed);
/*
 * Give tconf a consistent_random partitioner that also stores the partition
 * count in *nparts (read it with __atomic_load_n; it stays 0 until known).
 * *nparts must outlive the topic; nothing is allocated.
 */
void khash_track(rd_kafka_topic_conf_t *tconf, int32_t *nparts);

#endif
