/* kpace.c: bytes an idempotent producer lets wait (see kpace.h). */
#include "kafka/kpace.h"

#include <stdlib.h>
#include <string.h>

/* conf's value of name as a number, or dflt when unreadable. */
static long
conf_long(const rd_kafka_conf_t *conf, const char *name, long dflt)
{
	char val[64];
	size_t len = sizeof(val);
	char *end;
	long v;

	if (rd_kafka_conf_get(conf, name, val, &len) != RD_KAFKA_CONF_OK)
		return dflt;
	v = strtol(val, &end, 10);
	return end == val || v <= 0 ? dflt : v;
}

void
kpace_init(struct kpace *kp, rd_kafka_t *rk)
{
	const rd_kafka_conf_t *conf = rd_kafka_conf(rk);
	char val[16];
	size_t len = sizeof(val);
	long batch, max;

	memset(kp, 0, sizeof(*kp));
	if (rd_kafka_conf_get(conf, "enable.idempotence", val, &len) !=
	    RD_KAFKA_CONF_OK || strcmp(val, "true") != 0)
		return;
	/* A request holds at most the smaller of the two. */
	batch = conf_long(conf, "batch.size", 1000000);
	max = conf_long(conf, "message.max.bytes", 1000000);
	if (max < batch)
		batch = max;
	kp->per_part = (size_t)batch + (size_t)batch / 2;
}

int
kpace_over(const struct kpace *kp, int32_t nparts, size_t bytes)
{
	if (kp->per_part == 0 || nparts <= 0 || kp->held == 0)
		return 0;
	return kp->held + bytes > kp->per_part * (size_t)nparts;
}
