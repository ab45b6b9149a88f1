/*
 * kconf.h: librdkafka configuration from kcat-style -X prop=val arguments and
 * -F files of prop=val lines.
 */
#ifndef WEBMON_KCONF_H
#define WEBMON_KCONF_H

#include <stddef.h>
#include <librdkafka/rdkafka.h>

/*
 * Set one property. A "topic." prefix is accepted as in kcat and the rest is
 * set as a default topic property. Returns 0, or -1 with a message in errstr.
 */
int kconf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
    char *errstr, size_t errsize);
/* Apply "prop=val" (split on the first '='). Returns 0 or -1 with errstr set. */
int kconf_set_arg(rd_kafka_conf_t *conf, const char *arg, char *errstr,
    size_t errsize);
/*
 * Apply a file of prop=val lines; blank lines and lines starting with '#' are
 * skipped. Returns 0, or -1 with "FILE:LINE: why" in errstr.
 */
int kconf_read_file(rd_kafka_conf_t *conf, const char *path, char *errstr,
    size_t errsize);

/* "Xprop=val" or "Ffile": option letter opt and its argument; caller frees. */
char *kconf_tag(char opt, const char *arg);
/*
 * Apply n tagged arguments (from kconf_tag) in order: 'X' ones with
 * kconf_set_arg(), 'F' ones with kconf_read_file(). Returns 0, or -1 with
 * errstr set and *bad the index of the argument that failed.
 */
int kconf_apply_tagged(rd_kafka_conf_t *conf, char *const *args, size_t n,
    size_t *bad, char *errstr, size_t errsize);
/*
 * A consumer's defaults, before -X/-F: client.id, a short fetch wait, and
 * with a group, offsets stored by the program only (for lines that are
 * done) and committed from there; auto.offset.reset latest when from_end.
 */
void kconf_consumer(rd_kafka_conf_t *conf, const char *client,
    const char *group, int from_end);
/*
 * A producer's defaults, before -X/-F: acks from all replicas, idempotence,
 * a short linger and large queues. Returns 0, or -1 with errstr set.
 */
int kconf_producer(rd_kafka_conf_t *conf, char *errstr, size_t errsize);
/*
 * bootstrap.servers from brokers (-b) if given, else, when neither -X nor
 * -F set it, from $KAFKA_BROKERS. Returns 0, or -1 with errstr set.
 */
int kconf_brokers(rd_kafka_conf_t *conf, const char *brokers, char *errstr,
    size_t errsize);
/*
 * Read kcat's configuration file into conf, as kcat does, unless one of the
 * n tagged arguments (kconf_tag) is an -F file: the file $KCAT_CONFIG (or
 * the older $KAFKACAT_CONFIG) names, else, unless -F - or -F none, the
 * first of $HOME/.config/kcat.conf and kafkacat.conf that exists. Call
 * before applying them so that -X overrides the file. Returns 0, or -1
 * with "KCAT_CONFIG: why" or "PATH:LINE: why".
 */
int kconf_kcat_config(rd_kafka_conf_t *conf, char *const *tagged, size_t n,
    char *errstr, size_t errsize);
/* 1 when -F path names no file: "-" or "none", as in kcat. */
int kconf_no_file(const char *path);
/* 1 when property name is set to a non-empty value in conf, else 0. */
int kconf_isset(const rd_kafka_conf_t *conf, const char *name);

#endif
