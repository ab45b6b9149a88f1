/* kbatch.c: per-partition batches for a Kafka producer (see kbatch.h). */
#include "kbatch.h"

#include <stdlib.h>
#include <string.h>

#include "kpart.h"
#include "util.h"

void
kbatch_add(struct kbatch *b, int32_t nparts, const char *key, size_t keylen,
    const char *payload, size_t len, void *opq)
{
	struct kbatch_msg *m;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->msgs = xreallocarray(b->msgs, b->cap, sizeof(*b->msgs));
	}
	m = &b->msgs[b->n++];
	m->opq = opq;
	if (b->n == 1)	/* fixed while the batch fills */
		b->nparts = nparts;
	if (key && b->nparts > 0)
		m->bucket = kpart_consistent(key, keylen, b->nparts);
	else
		m->bucket = b->nparts;
	m->keyoff = SIZE_MAX;
	m->keylen = key ? keylen : 0;
	if (key) {
		m->keyoff = b->arena.len;
		buf_append(&b->arena, key, keylen);
	}
	m->off = payload ? b->arena.len : SIZE_MAX;
	m->len = len;
	if (payload)
		buf_append(&b->arena, payload, len);
}

/* rd_kafka_produce_batch() for lines with headers: one by one. */
static void
produce_each(rd_kafka_t *rk, const rd_kafka_headers_t *hdrs,
    rd_kafka_topic_t *rkt, int32_t part, rd_kafka_message_t *rkm, size_t n)
{
	rd_kafka_headers_t *h;
	size_t i;

	for (i = 0; i < n; i++) {
		h = rd_kafka_headers_copy(hdrs);
		rkm[i].err = rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt),
		    RD_KAFKA_V_PARTITION(part),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_VALUE(rkm[i].payload, rkm[i].len),
		    RD_KAFKA_V_KEY(rkm[i].key, rkm[i].key_len),
		    RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(rkm[i]._private),
		    RD_KAFKA_V_END);
		if (rkm[i].err)
			rd_kafka_headers_destroy(h);	/* kept on success only */
	}
}

/* Produce rkm[0..n) to partition part, retrying while the queue is full. */
static void
produce_run(const struct kbatch *b, rd_kafka_topic_t *rkt, int32_t part,
    rd_kafka_message_t *rkm, size_t n, const struct kbatch_cb *cb)
{
	while (n > 0) {
		size_t i, retry = 0, queued = 0, bytes = 0;

		if (b->hdrs)
			produce_each(b->rk, b->hdrs, rkt, part, rkm, n);
		else
			rd_kafka_produce_batch(rkt, part, RD_KAFKA_MSG_F_COPY,
			    rkm, (int)n);
		for (i = 0; i < n; i++) {
			if (rkm[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
				queued++;
				bytes += rkm[i].len + rkm[i].key_len;
				continue;
			}
			if (rkm[i].err == RD_KAFKA_RESP_ERR__QUEUE_FULL &&
			    cb->retry(cb->arg)) {
				rkm[retry++] = rkm[i];	/* keeps their order */
				continue;
			}
			cb->failed(cb->arg, &rkm[i],
			    rkm[i].err == RD_KAFKA_RESP_ERR__QUEUE_FULL ?
			    "interrupted" : rd_kafka_err2str(rkm[i].err));
		}
		if (queued > 0)
			cb->queued(cb->arg, queued, bytes);
		n = retry;
		if (n > 0)
			cb->wait(cb->arg);	/* backpressure */
	}
}

void
kbatch_flush(struct kbatch *b, rd_kafka_topic_t *rkt, int32_t partition,
    const struct kbatch_cb *cb)
{
	size_t nb = (size_t)b->nparts + 1, i, *start;
	int32_t k;

	if (b->n == 0)
		return;
	b->count = xreallocarray(b->count, nb + 1, sizeof(*b->count));
	memset(b->count, 0, (nb + 1) * sizeof(*b->count));
	for (i = 0; i < b->n; i++)
		b->count[b->msgs[i].bucket + 1]++;
	for (i = 1; i <= nb; i++)
		b->count[i] += b->count[i - 1];	/* now: start of each bucket */
	start = b->count;
	b->rkm = xreallocarray(b->rkm, b->cap, sizeof(*b->rkm));
	for (i = 0; i < b->n; i++) {
		const struct kbatch_msg *m = &b->msgs[i];
		rd_kafka_message_t *r = &b->rkm[start[m->bucket]++];

		memset(r, 0, sizeof(*r));
		r->payload = m->off == SIZE_MAX ? NULL : b->arena.data + m->off;
		r->len = m->len;
		r->key = m->keyoff == SIZE_MAX ? NULL : b->arena.data + m->keyoff;
		r->key_len = m->keylen;
		r->_private = m->opq;
	}
	/* start[k] is now the end of bucket k, which is the start of k + 1 */
	for (k = 0; k < (int32_t)nb; k++) {
		size_t from = k == 0 ? 0 : start[k - 1], to = start[k];
		int32_t part = partition != RD_KAFKA_PARTITION_UA ? partition :
		    k == b->nparts ? RD_KAFKA_PARTITION_UA : k;

		if (to > from)
			produce_run(b, rkt, part, b->rkm + from, to - from,
			    cb);
	}
	b->n = 0;
	buf_reset(&b->arena);
}

void
kbatch_free(struct kbatch *b)
{
	buf_free(&b->arena);
	free(b->msgs);
	free(b->count);
	free(b->rkm);
	memset(b, 0, sizeof(*b));
}
