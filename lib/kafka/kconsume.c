/* kconsume.c: kcat's consumer path (see kconsume.h). */
#include "kafka/kconsume.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka/kenvelope.h"
#include "kafka/koutage.h"
#include "progress.h"

#define OUT_FLUSH	(1 << 20)	/* write when this much is buffered */

static void
report(struct kconsume *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct kconsume *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->warn)
		c->warn(c->arg, msg);
}

int
kconsume_flush(struct kconsume *c)
{
	/* Nothing goes out before the sink has introduced itself (ack.h). */
	if (c->out.len == 0 || !kcommit_ready(c->kc))
		return 0;
	progress_before(c->outfd);	/* no line after progress text */
	if (write_all(c->outfd, c->out.data, c->out.len) < 0) {
		if (errno != EPIPE)
			report(c, "write <stdout>: %s", strerror(errno));
		c->epipe = 1;
		c->fatal |= errno != EPIPE;
		buf_reset(&c->out);
		return -1;
	}
	buf_reset(&c->out);
	kcommit_flushed(c->kc);
	return 0;
}

/*
 * m through kcat's format: what kcat writes, byte for byte. With acks a
 * line is the unit: a message that makes more than one is not written.
 */
static int
format(struct kconsume *c, const rd_kafka_message_t *m)
{
	size_t start = c->out.len;
	struct kfmt_msg km;

	if (c->json) {
		kenvelope_write(&c->out, m);
		c->out.data[--c->out.len] = '\0';	/* -D's delimiter instead */
		kfmt_lead(c->fmt, &c->out);
	} else {
		kfmt_message(&km, m);
		kfmt_render(c->fmt, &c->out, &km);
	}
	if (c->kc->ackmode && c->out.len - start > 1 && memchr(c->out.data +
	    start, '\n', c->out.len - start - 1) != NULL) {
		c->out.len = start;
		c->out.data[start] = '\0';
		return KLINE_NEWLINE;
	}
	return KLINE_WROTE;
}

/* Write one message (or report it), and track its offset. */
static void
take(struct kconsume *c, const rd_kafka_message_t *m)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	int r = c->fmt ? format(c, m) : kenvelope_line(&c->out, m, c->json);

	c->nmsgs++;
	if (r == KLINE_EMPTY)
		c->nempty++;	/* no record in it: nothing to write or reject */
	if (r == KLINE_NEWLINE) {
		report(c, "'%s' [%" PRId32 "] at offset %" PRId64 ": %s "
		    "contains a newline, skipped", topic, m->partition,
		    m->offset, c->fmt ? "the formatted message" : "payload");
		c->nskipped++;
	}
	offtrack_take(&c->kc->ot, topic, m->partition, m->offset,
	    r == KLINE_WROTE);
}

/*
 * kcat's -o e@ms: a message at or after the stop time ends its partition
 * (marked at its end, as -e does); it and the rest are not taken.
 */
static int
past_stop(struct kconsume *c, const rd_kafka_message_t *m)
{
	rd_kafka_timestamp_type_t type;
	int64_t ts;

	if (c->stop_ms <= 0 || (ts = rd_kafka_message_timestamp(m, &type)) < 0 ||
	    ts < c->stop_ms)
		return 0;
	offtrack_set_eof(&c->kc->ot, rd_kafka_topic_name(m->rkt), m->partition, 1);
	return 1;
}

static void
on_error(struct kconsume *c, const rd_kafka_message_t *m)
{
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		if (m->rkt != NULL)
			offtrack_set_eof(&c->kc->ot, topic, m->partition, 1);
		return;
	}
	if (m->rkt != NULL)
		report(c, "'%s' [%" PRId32 "]: %s", topic, m->partition,
		    rd_kafka_message_errstr(m));
	else
		report(c, "kafka: %s", rd_kafka_message_errstr(m));
	if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	    m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
	    m->err == RD_KAFKA_RESP_ERR__FATAL)
		c->fatal = 1;
}

ssize_t
kconsume_batch(struct kconsume *c, rd_kafka_message_t **msgs)
{
	size_t want = KCONSUME_BATCH, room, pending;
	ssize_t n, i;
	int answered = 0;

	/* With acks, take no more than max_pending allows (at least one
	 * call's worth, so that rebalances are still served while full). */
	if (c->kc->ackmode && !c->draining) {
		pending = offtrack_pending(&c->kc->ot);
		room = c->max_pending > pending ? c->max_pending - pending : 1;
		if (room < want)
			want = room;
	}
	n = rd_kafka_consume_batch_queue(c->q, 0, msgs, want);
	if (n < 0) {
		report(c, "consume: %s", rd_kafka_err2str(rd_kafka_last_error()));
		c->fatal = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		rd_kafka_message_t *m = msgs[i];

		if (m->err)
			on_error(c, m);
		else {
			answered = 1;
			if (!c->draining && !past_stop(c, m))
				take(c, m);
		}
		rd_kafka_message_destroy(m);
		if (!c->draining && c->count > 0 &&
		    (long long)c->nmsgs >= c->count)
			c->draining = 1;
		if (c->out.len >= OUT_FLUSH || (c->unbuffered && c->out.len))
			kconsume_flush(c);
	}
	/* A fetched message is a broker's answer: it ends an outage even
	 * when no statistics come before the program stops (-c, -e). */
	if (answered)
		koutage_up();
	if (!c->group)
		rd_kafka_poll(c->rk, 0);
	return n;
}

void
kconsume_pause(struct kconsume *c, int pause)
{
	rd_kafka_topic_partition_list_t *l;

	if (c->paused == pause)
		return;
	l = kcommit_assigned(c->kc);
	if (pause)
		rd_kafka_pause_partitions(c->rk, l);
	else
		rd_kafka_resume_partitions(c->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	c->paused = pause;
}

void
kconsume_wait(struct kconsume *c, int ms)
{
	struct pollfd pfd[3];
	int n = 0, out = -1;
	char junk[64];
	struct stat st;

	pfd[n].fd = c->wakefd;
	pfd[n++].events = POLLIN;
	if (kcommit_fd(c->kc) >= 0) {
		pfd[n].fd = kcommit_fd(c->kc);
		pfd[n++].events = POLLIN;
	}
	/*
	 * A pipe whose reader has gone reports POLLERR: notice it while the
	 * topic is idle too, not only at the next write.
	 */
	if (!c->epipe && fstat(c->outfd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		out = n;
		pfd[n].fd = c->outfd;
		pfd[n++].events = 0;
	}
	if (poll(pfd, (nfds_t)n, ms) <= 0)
		return;
	if (pfd[0].revents & POLLIN)
		while (read(c->wakefd, junk, sizeof(junk)) > 0)
			;
	if (out >= 0 && (pfd[out].revents & POLLERR))
		c->epipe = 1;
}
