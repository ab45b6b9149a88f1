/*
 * kcommit.h: from lines written to committed offsets. Tracks every message
 * taken (offtrack.h), reads the sink's acknowledgements (ack.h) when there
 * is an ack FIFO, and stores and commits a partition's offset only once
 * every line up to it is done: acknowledged, or merely written without an
 * ack FIFO (kcat's at-most-once downstream).
 */
#ifndef WEBMON_KCOMMIT_H
#define WEBMON_KCOMMIT_H

#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

#include "ack.h"
#include "kafka/offtrack.h"
#include "progress.h"

struct kcommit {
	rd_kafka_t *rk;		/* not owned; set before the first commit */
	struct offtrack ot;
	struct ackr ar;
	int ackmode;		/* an ack FIFO is open */
	int commits;		/* a group is set: offsets can be committed */
	int broken;		/* acks can no longer be trusted: commit no more */
	uint64_t flushed;	/* lines handed to write() */
	double lastcommit_ms;
	unsigned long long ncommits, ncommitfail;
	unsigned long long nignored;	/* ignored acks seen */
};

/* commits: 1 when a consumer group is set. */
void kcommit_init(struct kcommit *kc, int commits);
/*
 * Commit only what the reader of datafd acknowledges on the FIFO at path
 * (made anew, see ack.h). Returns 0, or -1 with msg set.
 */
int kcommit_ack_open(struct kcommit *kc, const char *path, int datafd,
    char *msg, size_t msgsize);
/* 1 when lines may be written: no ack FIFO, or its reader introduced itself. */
int kcommit_ready(const struct kcommit *kc);
/* The ack FIFO's descriptor to poll for POLLIN, or -1. */
int kcommit_fd(const struct kcommit *kc);
/* Every line taken so far has been written out. */
void kcommit_flushed(struct kcommit *kc);
/*
 * Take the next acknowledgement available now: ACK_NONE when there is no
 * more, ACK_COUNT, ACK_IGNORED (warn msg, call again), ACK_BROKEN or
 * ACK_ERR (msg; nothing more is committed from now).
 */
int kcommit_read_ack(struct kcommit *kc, char *msg, size_t msgsize);
/*
 * Take every acknowledgement available now, warning (after clearing prog)
 * about the first few ignored ones. Returns 0, or -1 with msg when the acks
 * broke (nothing more is committed from now).
 */
int kcommit_read_acks(struct kcommit *kc, struct progress *prog, char *msg,
    size_t msgsize);
/*
 * Store and commit the offsets that moved. An asynchronous commit is rate
 * limited; a synchronous one goes out at once. Returns 0, or -1 with msg
 * set (the commit is retried with the next one).
 */
int kcommit_commit(struct kcommit *kc, int async, char *msg, size_t msgsize);
/* The commit callback's result: counts it. */
void kcommit_result(struct kcommit *kc, rd_kafka_resp_err_t err);
/* Partitions currently assigned, as a list the caller destroys. */
rd_kafka_topic_partition_list_t *kcommit_assigned(struct kcommit *kc);
/* Lines written but not acknowledged. */
uint64_t kcommit_unacked(const struct kcommit *kc);
/* Close the FIFO and free. */
void kcommit_free(struct kcommit *kc);

#endif
