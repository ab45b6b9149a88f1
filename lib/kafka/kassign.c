/* kassign.c: partitions and start offsets (see kassign.h). */
#include "kafka/kassign.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
kassign_check_conf(const rd_kafka_conf_t *conf, char *msg, size_t msgsize)
{
	char val[256];
	size_t n = sizeof(val);

	if (rd_kafka_conf_get(conf, "partition.assignment.strategy", val,
	    &n) == RD_KAFKA_CONF_OK && strstr(val, "cooperative-sticky")) {
		snprintf(msg, msgsize, "partition.assignment.strategy=%s: "
		    "cooperative-sticky is not supported (librdkafka %s aborts "
		    "in it, librdkafka issue 4312); use range or roundrobin",
		    val, rd_kafka_version_str());
		return -1;
	}
	return 0;
}

int
kassign_subscribe(rd_kafka_t *rk, const char *const *topics, int n,
    rd_kafka_queue_t **q, char *msg, size_t msgsize)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
	rd_kafka_resp_err_t err;
	int i;

	rd_kafka_poll_set_consumer(rk);
	*q = rd_kafka_queue_get_consumer(rk);
	for (i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(l, topics[i],
		    RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (err) {
		snprintf(msg, msgsize, "subscribe: %s", rd_kafka_err2str(err));
		return -1;
	}
	return 0;
}

/* Start offsets for -o s@ms: look them up for every partition in l. */
static int
lookup_times(rd_kafka_t *rk, const struct koffset *off,
    rd_kafka_topic_partition_list_t *l, char *msg, size_t msgsize)
{
	rd_kafka_resp_err_t err;
	int i;

	for (i = 0; i < l->cnt; i++)
		l->elems[i].offset = off->val;
	err = rd_kafka_offsets_for_times(rk, l, 10000);
	if (err) {
		snprintf(msg, msgsize, "offsets for s@%" PRId64 ": %s", off->val,
		    rd_kafka_err2str(err));
		return -1;
	}
	for (i = 0; i < l->cnt; i++)
		if (l->elems[i].err) {
			snprintf(msg, msgsize, "offsets for s@%" PRId64 ": '%s' [%"
			    PRId32 "]: %s", off->val, l->elems[i].topic,
			    l->elems[i].partition, rd_kafka_err2str(l->elems[i].err));
			return -1;
		}
	return 0;
}

static int
cooperative(rd_kafka_t *rk)
{
	return strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
}

int
kassign_assign(rd_kafka_t *rk, struct kcommit *kc, const struct koffset *off,
    rd_kafka_topic_partition_list_t *parts, int hold, char *msg,
    size_t msgsize)
{
	rd_kafka_topic_partition_list_t *fresh;
	int i, rc = 0;

	/*
	 * An explicit -o N, -N or s@ms moves partitions this process has not
	 * read yet; after that the group's offsets rule.
	 */
	fresh = rd_kafka_topic_partition_list_new(parts->cnt);
	for (i = 0; i < parts->cnt; i++)
		if (offtrack_assign(&kc->ot, parts->elems[i].topic,
		    parts->elems[i].partition))
			rd_kafka_topic_partition_list_add(fresh,
			    parts->elems[i].topic, parts->elems[i].partition);
	if (off->kind == KOFF_TIME && fresh->cnt > 0)
		rc = lookup_times(rk, off, fresh, msg, msgsize);
	for (i = 0; rc == 0 && i < parts->cnt; i++) {
		rd_kafka_topic_partition_t *f = rd_kafka_topic_partition_list_find(
		    fresh, parts->elems[i].topic, parts->elems[i].partition);

		if (f == NULL)
			continue;
		if (off->kind == KOFF_TIME)
			parts->elems[i].offset = f->offset;
		else if (off->kind == KOFF_ABS || off->kind == KOFF_TAIL)
			parts->elems[i].offset = koffset_start(off);
	}
	rd_kafka_topic_partition_list_destroy(fresh);
	if (cooperative(rk))
		rd_kafka_incremental_assign(rk, parts);
	else
		rd_kafka_assign(rk, parts);
	if (hold)
		rd_kafka_pause_partitions(rk, parts);
	return rc;
}

int
kassign_revoke(rd_kafka_t *rk, struct kcommit *kc,
    rd_kafka_topic_partition_list_t *parts, char *msg, size_t msgsize)
{
	int i, rc = 0;

	/* Commit what the sink has acknowledged, then forget the rest. */
	if (!rd_kafka_assignment_lost(rk))
		rc = kcommit_commit(kc, 0, msg, msgsize);
	for (i = 0; i < parts->cnt; i++)
		offtrack_revoke(&kc->ot, parts->elems[i].topic,
		    parts->elems[i].partition);
	if (cooperative(rk))
		rd_kafka_incremental_unassign(rk, parts);
	else
		rd_kafka_assign(rk, NULL);
	return rc;
}

/*
 * Partitions of one topic into l, from the cluster's metadata: all, or
 * only partition when it is not -1 (kcat's -p).
 */
static int
add_topic(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const char *topic,
    int32_t partition, rd_kafka_topic_partition_list_t *l, char *msg,
    size_t msgsize)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err;
	int i;

	err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
	if (err) {
		snprintf(msg, msgsize, "topic '%s': metadata: %s", topic,
		    rd_kafka_err2str(err));
		return -1;
	}
	if (md->topic_cnt != 1 || md->topics[0].err) {
		snprintf(msg, msgsize, "topic '%s': %s", topic, rd_kafka_err2str(
		    md->topic_cnt ? md->topics[0].err :
		    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
		rd_kafka_metadata_destroy(md);
		return -1;
	}
	for (i = 0; i < md->topics[0].partition_cnt; i++)
		if (partition == -1 || md->topics[0].partitions[i].id == partition)
			break;
	if (i == md->topics[0].partition_cnt) {
		snprintf(msg, msgsize, "topic '%s' (with partitions 0..%d): "
		    "partition %" PRId32 " does not exist", topic,
		    md->topics[0].partition_cnt - 1, partition);
		rd_kafka_metadata_destroy(md);
		return -1;
	}
	for (; i < md->topics[0].partition_cnt; i++)
		if (partition == -1 || md->topics[0].partitions[i].id == partition)
			rd_kafka_topic_partition_list_add(l, topic,
			    md->topics[0].partitions[i].id);
	rd_kafka_metadata_destroy(md);
	return 0;
}

int
kassign_start_simple(rd_kafka_t *rk, rd_kafka_queue_t *q,
    struct kcommit *kc, const char *const *topics, int n, int32_t partition,
    const struct koffset *off, rd_kafka_topic_t ***rkts, char *msg,
    size_t msgsize)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	int t, i, rc = -1;

	*rkts = xcalloc((size_t)n, sizeof(**rkts));
	for (t = 0; t < n; t++) {
		(*rkts)[t] = rd_kafka_topic_new(rk, topics[t], NULL);
		if ((*rkts)[t] == NULL) {
			snprintf(msg, msgsize, "topic '%s': %s", topics[t],
			    rd_kafka_err2str(rd_kafka_last_error()));
			goto out;
		}
		if (add_topic(rk, (*rkts)[t], topics[t], partition, l, msg,
		    msgsize) < 0)
			goto out;
	}
	if (off->kind == KOFF_TIME && lookup_times(rk, off, l, msg, msgsize) < 0)
		goto out;
	for (i = 0; i < l->cnt; i++) {
		int64_t start = off->kind == KOFF_TIME ? l->elems[i].offset :
		    koffset_start(off);

		offtrack_assign(&kc->ot, l->elems[i].topic, l->elems[i].partition);
		for (t = 0; t < n; t++)
			if (strcmp(topics[t], l->elems[i].topic) == 0)
				break;
		if (rd_kafka_consume_start_queue((*rkts)[t],
		    l->elems[i].partition, start, q) < 0) {
			snprintf(msg, msgsize, "'%s' [%" PRId32 "]: start: %s",
			    l->elems[i].topic, l->elems[i].partition,
			    rd_kafka_err2str(rd_kafka_last_error()));
			goto out;
		}
	}
	rc = 0;
out:
	rd_kafka_topic_partition_list_destroy(l);
	return rc;
}

struct stopctx {
	rd_kafka_topic_t **rkts;
	const char *const *topics;
	int n;
};

static void
stop_one(void *arg, const char *topic, int32_t partition, int64_t next)
{
	struct stopctx *c = arg;
	int t;

	(void)next;
	for (t = 0; t < c->n; t++)
		if (c->rkts[t] != NULL && strcmp(c->topics[t], topic) == 0)
			rd_kafka_consume_stop(c->rkts[t], partition);
}

void
kassign_stop_simple(struct kcommit *kc, rd_kafka_topic_t **rkts,
    const char *const *topics, int n)
{
	struct stopctx c = { rkts, topics, n };
	int t;

	offtrack_each(&kc->ot, 0, stop_one, &c);
	for (t = 0; t < n; t++)
		if (rkts[t] != NULL)
			rd_kafka_topic_destroy(rkts[t]);
	free(rkts);
}
