/*
 * kconsume.h: kcat's consumer path: take messages from a queue as lines
 * into a buffer, track each one's offset (kcommit.h), write the lines to
 * the output, and sleep in poll() until Kafka or the sink has something.
 * With an ack FIFO, at most max_pending lines wait for acknowledgement and
 * nothing is written before the sink has introduced itself (ack.h).
 */
#ifndef WEBMON_KCONSUME_H
#define WEBMON_KCONSUME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <librdkafka/rdkafka.h>

#include "buf.h"
#include "kafka/kcommit.h"
#include "kafka/kfmt.h"

#define KCONSUME_BATCH 10000	/* messages taken from the queue at once */

struct kconsume {
	rd_kafka_t *rk;			/* not owned */
	rd_kafka_queue_t *q;		/* not owned */
	struct kcommit *kc;		/* not owned */
	int outfd;			/* where lines go */
	int wakefd;			/* read end of the queue's wake-up pipe */
	int json;			/* kcat -J envelopes instead of payloads */
	/* kcat's -f (or -K, -D, -Z) format; with json, -D after each
	 * envelope; NULL: payload lines or envelope lines (kfmt.h). */
	const struct kfmt *fmt;
	int unbuffered;			/* -u: write each message at once */
	int group;			/* a consumer group serves the queue */
	long long count;		/* -c: stop taking after this many; 0 none */
	int64_t stop_ms;		/* -o e@: a partition ends before this; 0 none */
	size_t max_pending;
	/* Called with a message to report (not the caller's to free). */
	void (*warn)(void *arg, const char *msg);
	void *arg;
	struct buf out;			/* lines not written yet */
	int paused, draining, epipe, fatal;
	unsigned long long nmsgs, nskipped, nempty;
};

/* Take what the queue holds now (msgs has room for KCONSUME_BATCH); returns
 * the number of messages seen. */
ssize_t kconsume_batch(struct kconsume *c, rd_kafka_message_t **msgs);
/* Write the buffered lines; on success they count as written. -1 on error. */
int kconsume_flush(struct kconsume *c);
/* Pause (1) or resume (0) every assigned partition. */
void kconsume_pause(struct kconsume *c, int pause);
/* Sleep in poll() until Kafka or the sink has something, at most ms. */
void kconsume_wait(struct kconsume *c, int ms);

#endif
