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
 * A topic handle for topic on rk (free with rd_kafka_topic_destroy()). With
 * nparts, its partitioner is consistent_random that also stores the
 * partition count in *nparts (read it with __atomic_load_n; 0 until known;
 * *nparts must outlive the topic). Returns NULL with errstr on failure.
 */
rd_kafka_topic_t *khash_topic(rd_kafka_t *rk, const char *topic,
    int32_t *nparts, char *errstr, size_t errsize);

#endif
