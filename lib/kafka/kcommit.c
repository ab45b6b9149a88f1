/* kcommit.c: lines written to committed offsets (see kcommit.h). */
#include "kafka/kcommit.h"

#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "util.h"

void
kcommit_init(struct kcommit *kc, int commits)
{
	memset(kc, 0, sizeof(*kc));
	offtrack_init(&kc->ot);
	kc->ar.fd = -1;
	kc->commits = commits;
}

int
kcommit_ack_open(struct kcommit *kc, const char *path, int datafd,
    char *msg, size_t msgsize)
{
	if (ackr_open(&kc->ar, path, datafd, msg, msgsize) < 0)
		return -1;
	kc->ackmode = 1;
	return 0;
}

int
kcommit_ready(const struct kcommit *kc)
{
	return !kc->ackmode || ackr_ready(&kc->ar);
}

int
kcommit_fd(const struct kcommit *kc)
{
	return kc->ackmode ? ackr_fd(&kc->ar) : -1;
}

void
kcommit_flushed(struct kcommit *kc)
{
	kc->flushed = offtrack_written(&kc->ot);
	/* Without a sink's word, a line written is a line done. */
	if (!kc->ackmode)
		offtrack_ack(&kc->ot, kc->flushed);
}

int
kcommit_read_ack(struct kcommit *kc, char *msg, size_t msgsize)
{
	uint64_t n;
	int rc;

	if (!kc->ackmode || kc->broken)
		return ACK_NONE;
	rc = ackr_next(&kc->ar, kc->flushed, &n, msg, msgsize);
	if (rc == ACK_COUNT)
		offtrack_ack(&kc->ot, n);
	else if (rc == ACK_BROKEN || rc == ACK_ERR)
		kc->broken = 1;
	return rc;
}

int
kcommit_read_acks(struct kcommit *kc, struct progress *prog, char *msg,
    size_t msgsize)
{
	int rc;

	while ((rc = kcommit_read_ack(kc, msg, msgsize)) != ACK_NONE) {
		if (rc == ACK_COUNT)
			continue;
		progress_clear(prog);
		if (rc != ACK_IGNORED)
			return -1;
		if (kc->nignored++ < 5)
			warnmsg("%s", msg);
	}
	return 0;
}

static void
add_part(void *arg, const char *topic, int32_t partition, int64_t next)
{
	rd_kafka_topic_partition_list_add(arg, topic, partition)->offset = next;
}

int
kcommit_commit(struct kcommit *kc, int async, char *msg, size_t msgsize)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	int rc = 0;

	if (!kc->commits || kc->broken)
		return 0;
	if (async && mono_ms() - kc->lastcommit_ms < (kc->ackmode ? 200 : 1000))
		return 0;
	l = rd_kafka_topic_partition_list_new(4);
	if (offtrack_each(&kc->ot, 1, add_part, l) > 0) {
		kc->lastcommit_ms = mono_ms();
		err = rd_kafka_offsets_store(kc->rk, l);
		if (err && err != RD_KAFKA_RESP_ERR__STATE) {
			snprintf(msg, msgsize, "store offsets: %s",
			    rd_kafka_err2str(err));
			rc = -1;
		}
		err = rd_kafka_commit(kc->rk, l, async);
		if (!async && err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
			snprintf(msg, msgsize, "commit: %s", rd_kafka_err2str(err));
			rc = -1;
		}
	}
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

void
kcommit_result(struct kcommit *kc, rd_kafka_resp_err_t err)
{
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		kc->ncommits++;
	else if (err != RD_KAFKA_RESP_ERR__NO_OFFSET)
		kc->ncommitfail++;
}

static void
add_name(void *arg, const char *topic, int32_t partition, int64_t next)
{
	(void)next;
	rd_kafka_topic_partition_list_add(arg, topic, partition);
}

rd_kafka_topic_partition_list_t *
kcommit_assigned(struct kcommit *kc)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);

	offtrack_each(&kc->ot, 0, add_name, l);
	return l;
}

uint64_t
kcommit_unacked(const struct kcommit *kc)
{
	return kc->flushed - offtrack_acked(&kc->ot);
}

void
kcommit_free(struct kcommit *kc)
{
	if (kc->ackmode)
		ackr_close(&kc->ar);
	offtrack_free(&kc->ot);
}
