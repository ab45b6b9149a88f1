/*
 * test-kpace.c: how much an idempotent producer lets wait in librdkafka
 * (lib/kafka/kpace.c), read from a producer's configuration; no broker.
 */
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "kafka/kpace.h"
#include "unit.h"

/* A producer with the name=value pairs set; NULL-terminated. */
static rd_kafka_t *
producer(const char *const *kv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];
	rd_kafka_t *rk;

	rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
	for (; *kv; kv += 2)
		if (rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof(err)))
			printf("# %s: %s\n", kv[0], err);
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) ==
	    NULL)
		printf("# rd_kafka_new: %s\n", err);
	return rk;
}

/* kp's limit for a producer set up with kv. */
static size_t
limit(const char *const *kv)
{
	struct kpace kp;
	rd_kafka_t *rk = producer(kv);

	if (rk == NULL)
		return (size_t)-1;
	kpace_init(&kp, rk);
	rd_kafka_destroy(rk);
	return kp.per_part;
}

static void
limits(void)
{
	static const char *const plain[] = { NULL };
	static const char *const idem[] = { "enable.idempotence", "true", NULL };
	static const char *const small[] = { "enable.idempotence", "true",
	    "batch.size", "4000", NULL };
	static const char *const maxbytes[] = { "enable.idempotence", "true",
	    "message.max.bytes", "20000", NULL };

	CHECK(limit(plain) == 0);	/* not idempotent: no limit */
	CHECK(limit(idem) == 1500000);	/* 1.5 of batch.size 1,000,000 */
	CHECK(limit(small) == 6000);
	CHECK(limit(maxbytes) == 30000);	/* the smaller of the two */
}

static void
over(void)
{
	struct kpace kp = { 6000, 0 };

	CHECK(!kpace_over(&kp, 2, 50000));	/* nothing held: never over */
	kp.held = 10000;
	CHECK(!kpace_over(&kp, 2, 2000));	/* 12,000 of 2 x 6,000 */
	CHECK(kpace_over(&kp, 2, 2001));
	CHECK(!kpace_over(&kp, 0, 1 << 20));	/* partition count unknown */
	kp.per_part = 0;
	CHECK(!kpace_over(&kp, 2, 1 << 20));	/* no limit */
}

int
main(void)
{
	TEST("kpace: a limit only when idempotent, 1.5 of the request size",
	    limits());
	TEST("kpace: over the limit per partition, never with nothing held",
	    over());
	return unit_done();
}
