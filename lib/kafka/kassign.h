/*
 * kassign.h: which partitions a consumer reads and where it starts: the
 * group's rebalances (assign with kcat's -o start offsets for partitions
 * this process never had, revoke after committing what is done), or every
 * partition of the topics without a group, like kcat -C.
 */
#ifndef WEBMON_KASSIGN_H
#define WEBMON_KASSIGN_H

#include <stddef.h>
#include <librdkafka/rdkafka.h>

#include "kafka/kcommit.h"
#include "kafka/koffset.h"

/*
 * Refuse settings the consumer cannot run with. Returns 0, or -1 with msg
 * set: partition.assignment.strategy cooperative-sticky makes librdkafka
 * 2.0 abort (librdkafka issue 4312).
 */
int kassign_check_conf(const rd_kafka_conf_t *conf, char *msg, size_t msgsize);
/*
 * Join the group: subscribe to the n topics, serve the group's events on
 * the consumer queue, returned in *q (the caller destroys it). Returns 0,
 * or -1 with msg set.
 */
int kassign_subscribe(rd_kafka_t *rk, const char *const *topics, int n,
    rd_kafka_queue_t **q, char *msg, size_t msgsize);
/*
 * Rebalance: partitions assigned. Fresh ones get the start offset of off;
 * with hold they start paused. Returns 0, or -1 with msg set.
 */
int kassign_assign(rd_kafka_t *rk, struct kcommit *kc, const struct koffset *off,
    rd_kafka_topic_partition_list_t *parts, int hold, char *msg,
    size_t msgsize);
/*
 * Rebalance: partitions revoked. Commits what is done (unless the
 * assignment was lost), then forgets them. Returns 0, or -1 with msg set
 * (a failed commit; the partitions are revoked all the same).
 */
int kassign_revoke(rd_kafka_t *rk, struct kcommit *kc,
    rd_kafka_topic_partition_list_t *parts, char *msg, size_t msgsize);
/*
 * No group: start every partition of the n topics (only partition, unless
 * it is -1: kcat's -p) at off on queue q. *rkts gets the topic handles
 * (free with kassign_stop_simple()). Returns 0, or -1 with msg set (a
 * topic without that partition included).
 */
int kassign_start_simple(rd_kafka_t *rk, rd_kafka_queue_t *q,
    struct kcommit *kc, const char *const *topics, int n, int32_t partition,
    const struct koffset *off, rd_kafka_topic_t ***rkts, char *msg,
    size_t msgsize);
/* Stop the partitions started by kassign_start_simple(), free rkts. */
void kassign_stop_simple(struct kcommit *kc, rd_kafka_topic_t **rkts,
    const char *const *topics, int n);

#endif
