/*
 * klog.h: librdkafka's error and log callbacks reported on stderr as
 * "prog: kafka: ...", after clearing the progress line.
 */
#ifndef WEBMON_KLOG_H
#define WEBMON_KLOG_H

#include <librdkafka/rdkafka.h>

#include "progress.h"

/*
 * Report an error callback's err: a fatal error always (with librdkafka's
 * cause; returns 1); errors reaching brokers through koutage_error() once
 * koutage_conf() was called, else all brokers down unless quiet; others
 * when verbose. Returns 0 for a non-fatal error.
 */
int klog_error(rd_kafka_t *rk, int err, const char *reason, int verbose,
    int quiet, struct progress *prog);
/*
 * Report a log callback's line: all when verbose > 1, warnings when verbose
 * except a broker's FAIL (the error callback reports it too).
 * prog may be NULL (it is not thread-safe; log callbacks may run on
 * librdkafka's threads).
 */
void klog_line(int level, const char *fac, const char *buf, int verbose,
    struct progress *prog);

#endif
