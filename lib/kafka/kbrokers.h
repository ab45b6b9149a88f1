/*
 * kbrokers.h: where wm-kafka-pub and wm-kafka-sub take their brokers from,
 * one order for both: -b, then bootstrap.servers from -X, -F or the
 * KCAT_CONFIG file, then $KAFKA_BROKERS.
 */
#ifndef WEBMON_KBROKERS_H
#define WEBMON_KBROKERS_H

#include <stddef.h>
#include <librdkafka/rdkafka.h>

/*
 * Read the file $KCAT_CONFIG names into conf, as kcat does, unless one of the
 * n tagged arguments (kconf_tag) is an -F file. Call before applying them so
 * that -X overrides the file. Returns 0, or -1 with "KCAT_CONFIG: why".
 */
int kbrokers_kcat_config(rd_kafka_conf_t *conf, char *const *tagged, size_t n,
    char *errstr, size_t errsize);
/*
 * Set bootstrap.servers in conf from flag (-b; may be NULL) or, when neither
 * flag nor conf has brokers, from $KAFKA_BROKERS. Returns 0, or -1 with
 * errstr set (no brokers anywhere, or a value librdkafka refused).
 */
int kbrokers_resolve(rd_kafka_conf_t *conf, const char *flag, char *errstr,
    size_t errsize);

#endif
