/*
 * kmeta.h: kcat -L: the cluster's brokers, topics and partitions (leader,
 * replicas, in-sync replicas) in kcat's text layout.
 */
#ifndef WEBMON_KMETA_H
#define WEBMON_KMETA_H

#include <stdio.h>
#include <librdkafka/rdkafka.h>

/*
 * Write the metadata of topic (every topic when NULL) to fp as kcat -L
 * does, asking for at most timeout_ms. Returns 0, or -1 with errstr set
 * (the request failed, or a write error with errno set).
 */
int kmeta_list(rd_kafka_t *rk, const char *topic, int timeout_ms, FILE *fp,
    char *errstr, size_t errsize);

#endif
