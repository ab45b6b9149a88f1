/* kmeta.c: kcat -L's metadata listing (see kmeta.h). */
#include "kafka/kmeta.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* ids[0..n) joined by commas, as kcat lists replicas and ISRs. */
static void
ids(FILE *fp, const int32_t *id, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%s%" PRId32, i > 0 ? "," : "", id[i]);
}

static void
print(FILE *fp, const char *topic, const struct rd_kafka_metadata *md,
    int32_t controller)
{
	int i, j;

	fprintf(fp, "Metadata for %s (from broker %" PRId32 ": %s):\n",
	    topic ? topic : "all topics", md->orig_broker_id,
	    md->orig_broker_name);
	fprintf(fp, " %d brokers:\n", md->broker_cnt);
	for (i = 0; i < md->broker_cnt; i++)
		fprintf(fp, "  broker %" PRId32 " at %s:%d%s\n",
		    md->brokers[i].id, md->brokers[i].host, md->brokers[i].port,
		    md->brokers[i].id == controller ? " (controller)" : "");
	fprintf(fp, " %d topics:\n", md->topic_cnt);
	for (i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *t = &md->topics[i];

		fprintf(fp, "  topic \"%s\" with %d partitions:", t->topic,
		    t->partition_cnt);
		if (t->err)
			fprintf(fp, " %s%s", rd_kafka_err2str(t->err), t->err ==
			    RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ?
			    " (try again)" : "");
		fputc('\n', fp);
		for (j = 0; j < t->partition_cnt; j++) {
			const rd_kafka_metadata_partition_t *p = &t->partitions[j];

			fprintf(fp, "    partition %" PRId32 ", leader %" PRId32
			    ", replicas: ", p->id, p->leader);
			ids(fp, p->replicas, p->replica_cnt);
			fputs(", isrs: ", fp);
			ids(fp, p->isrs, p->isr_cnt);
			if (p->err)
				fprintf(fp, ", %s", rd_kafka_err2str(p->err));
			fputc('\n', fp);
		}
	}
}

int
kmeta_list(rd_kafka_t *rk, const char *topic, int timeout_ms, FILE *fp,
    char *errstr, size_t errsize)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_resp_err_t err;

	if (topic && (rkt = rd_kafka_topic_new(rk, topic, NULL)) == NULL) {
		snprintf(errstr, errsize, "topic '%s': %s", topic,
		    rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	err = rd_kafka_metadata(rk, rkt == NULL, rkt, &md, timeout_ms);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	if (err) {
		snprintf(errstr, errsize, "metadata: %s", rd_kafka_err2str(err));
		return -1;
	}
	print(fp, topic, md, rd_kafka_controllerid(rk, 0));
	rd_kafka_metadata_destroy(md);
	if (fflush(fp) == EOF || ferror(fp)) {
		snprintf(errstr, errsize, "write <stdout>: %s", strerror(errno));
		return -1;
	}
	return 0;
}
