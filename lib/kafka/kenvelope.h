/*
 * kenvelope.h: a Kafka message as one line of kcat -J's JSON envelope:
 * topic, partition, offset, tstype, ts, broker, headers, key, payload, in
 * that order (tstype and ts only when the message has a timestamp, headers
 * only when it has any).
 */
#ifndef WEBMON_KENVELOPE_H
#define WEBMON_KENVELOPE_H

#include <librdkafka/rdkafka.h>

#include "buf.h"

/* Append m's envelope and a newline to out; m stays the caller's. */
void kenvelope_write(struct buf *out, const rd_kafka_message_t *m);

enum {
	KLINE_WROTE,		/* a line was appended */
	KLINE_EMPTY,		/* empty payload: no record, nothing appended */
	KLINE_NEWLINE		/* payload holds a newline: not appended */
};
/*
 * Append m as one output line: its envelope when json, else its payload
 * and a newline. Returns a KLINE_ value.
 */
int kenvelope_line(struct buf *out, const rd_kafka_message_t *m, int json);

#endif
