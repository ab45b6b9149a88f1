/*
 * khash.c: librdkafka's consistent_random partitioner, which also tells the
 * producer the partition count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/khash.h"
#include "kafka/kpart.h"

int
khash_possible(rd_kafka_conf_t *conf, int32_t partition, int keyed)
{
	const rd_kafka_topic_conf_t *tc;
	char buf[64];
	size_t size = sizeof(buf);

	tc = rd_kafka_conf_get_default_topic_conf(conf);
	if (tc == NULL || rd_kafka_topic_conf_get(tc, "partitioner", buf,
	    &size) != RD_KAFKA_CONF_OK)
		snprintf(buf, sizeof(buf), "consistent_random");
	return partition == RD_KAFKA_PARTITION_UA && keyed &&
	    (strcmp(buf, "consistent_random") == 0 ||
	    strcmp(buf, "consistent") == 0);
}

static int32_t
partition_cb(const rd_kafka_topic_t *rkt, const void *key, size_t keylen,
    int32_t cnt, void *topic_opaque, void *msg_opaque)
{
	int32_t *nparts = topic_opaque;
	int32_t i, start;

	(void)msg_opaque;
	__atomic_store_n(nparts, cnt, __ATOMIC_RELAXED);
	if (key)
		return kpart_consistent(key, keylen, cnt);
	start = (int32_t)(random() % cnt);
	for (i = 0; i < cnt; i++)
		if (rd_kafka_topic_partition_available(rkt, (start + i) % cnt))
			return (start + i) % cnt;
	return start;
}

rd_kafka_topic_t *
khash_topic(rd_kafka_t *rk, const char *topic, int32_t *nparts, char *errstr,
    size_t errsize)
{
	rd_kafka_topic_conf_t *tconf = rd_kafka_default_topic_conf_dup(rk);
	rd_kafka_topic_t *rkt;

	if (nparts) {
		rd_kafka_topic_conf_set_partitioner_cb(tconf, partition_cb);
		rd_kafka_topic_conf_set_opaque(tconf, nparts);
	}
	if ((rkt = rd_kafka_topic_new(rk, topic, tconf)) == NULL)
		snprintf(errstr, errsize, "topic '%s': %s", topic,
		    rd_kafka_err2str(rd_kafka_last_error()));
	return rkt;
}
