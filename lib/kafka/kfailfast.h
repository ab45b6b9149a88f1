/*
 * kfailfast.h: end a Kafka program early, as kcat does, when no broker can be
 * reached at start (refused, TLS handshake refused, bad credentials), with
 * the cause, instead of retrying for minutes. Once a broker has answered,
 * later outages are waited out as before.
 *
 * The wait is set by the property webmon.connect.timeout.ms (-X, -F,
 * KCAT_CONFIG; default 10000; 0 waits for brokers forever). One Kafka client
 * per process: the state is process-wide.
 */
#ifndef WEBMON_KFAILFAST_H
#define WEBMON_KFAILFAST_H

#include <signal.h>
#include <stddef.h>
#include <librdkafka/rdkafka.h>

#define KFAILFAST_PROP		"webmon.connect.timeout.ms"
#define KFAILFAST_DEFAULT_MS	10000

typedef void kfailfast_error_cb(rd_kafka_t *rk, int err, const char *reason,
    void *opaque);

/* Set the wait from a property value in ms. Returns 0 or -1 with errstr. */
int kfailfast_set_timeout(const char *val, char *errstr, size_t errsize);
/*
 * Install cb as conf's error callback behind a watch that keeps, until a
 * broker has answered, the last connection error as the cause (cb then sees
 * only fatal errors).
 */
void kfailfast_conf(rd_kafka_conf_t *conf, kfailfast_error_cb *cb);
/*
 * Right after rd_kafka_new(): wait until a broker answers a metadata request
 * or *stop (the program's signal flag) is set. Returns 0, or -1 with "why" in
 * errstr when the wait ran out or a broker refused the credentials.
 */
int kfailfast_wait(rd_kafka_t *rk, volatile sig_atomic_t *stop, char *errstr,
    size_t errsize);

#endif
