/*
 * kconfdump.h: kcat's -X dump: the configuration as "name = value" lines,
 * global then topic properties, with secrets masked.
 */
#ifndef WEBMON_KCONFDUMP_H
#define WEBMON_KCONFDUMP_H

#include <stdio.h>
#include <librdkafka/rdkafka.h>

/*
 * Write conf to fp as kcat -X dump does ("# Global config", its lines, a
 * blank line, "# Topic config", ...), every password, secret or private
 * key that is set shown as "[redacted]". Returns 0, or -1 on a write
 * error (errno set).
 */
int kconfdump_write(rd_kafka_conf_t *conf, FILE *fp);
/* 1 when property name holds a secret that a dump must not show. */
int kconfdump_secret(const char *name);

#endif
