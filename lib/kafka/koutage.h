/*
 * koutage.h: a broker outage told as wm-pg-copy tells a database outage:
 * one line when every broker is down, with the cause (unless quiet), one
 * per failed reconnect when verbose, and one when a broker is back:
 *
 *	prog: kafka: brokers down: 127.0.0.1:9092/1: Connect to ... refused ...
 *	prog: kafka: retry 3 failed: 127.0.0.1:9092/1: Connect to ... refused ...
 *	prog: kafka: reconnected after 8.3 s
 *
 * An outage begins with librdkafka's "all brokers down" error; it is told
 * once a reconnect failed or the last error was a failed connect (a broker
 * closing an idle connection is no outage). A broker is
 * back when librdkafka's statistics (statistics.interval.ms, KOUTAGE_STATS_MS
 * unless -X/-F set it) show one in state UP, or when the program sees an
 * answer (koutage_up()); the statistics also count the reconnect attempts.
 *
 * One Kafka client per process: the state is process-wide. Call everything
 * on the thread that serves librdkafka's queues (its error, statistics,
 * delivery report and commit callbacks run there), never from the log
 * callback, which runs on librdkafka's own threads.
 */
#ifndef WEBMON_KOUTAGE_H
#define WEBMON_KOUTAGE_H

#include <librdkafka/rdkafka.h>

#include "progress.h"

#define KOUTAGE_STATS_MS	"1000"

/*
 * Track outages of the client made from conf: sets its statistics callback
 * and, when unset, statistics.interval.ms. Lines are printed after clearing
 * prog (may be NULL), none when quiet, retries only when verbose.
 */
void koutage_conf(rd_kafka_conf_t *conf, int verbose, int quiet,
    struct progress *prog);
/*
 * An error callback's err: returns 1 if it is about reaching brokers (all
 * down, transport, name resolution, TLS, authentication) and was dealt with
 * here (told, kept as the cause, or when verbose and no outage printed as
 * "kafka: reason"); 0 for any other error or before koutage_conf().
 */
int koutage_error(int err, const char *reason);
/* A broker answered (a message delivered, an offset committed). */
void koutage_up(void);
/* 1 while an outage is on: errors it causes need not be told again. */
int koutage_on(void);

#endif
