/* kbrokers.c: one broker resolution order for both Kafka programs. */
#include "kbrokers.h"

#include <stdio.h>
#include <stdlib.h>

#include "kconf.h"

int
kbrokers_kcat_config(rd_kafka_conf_t *conf, char *const *tagged, size_t n,
    char *errstr, size_t errsize)
{
	const char *env = getenv("KCAT_CONFIG");
	char why[512];
	size_t i;

	if (env == NULL || *env == '\0')
		return 0;
	for (i = 0; i < n; i++)
		if (tagged[i][0] == 'F')
			return 0;
	if (kconf_read_file(conf, env, why, sizeof(why)) < 0) {
		snprintf(errstr, errsize, "KCAT_CONFIG: %s", why);
		return -1;
	}
	return 0;
}

int
kbrokers_resolve(rd_kafka_conf_t *conf, const char *flag, char *errstr,
    size_t errsize)
{
	const char *val = flag, *from = "-b";
	char why[512];

	if (val == NULL) {
		if (kconf_isset(conf, "bootstrap.servers"))
			return 0;
		val = getenv("KAFKA_BROKERS");
		from = "KAFKA_BROKERS";
	}
	if (val == NULL || *val == '\0') {
		snprintf(errstr, errsize, "no brokers: use -b host:port, "
		    "-X bootstrap.servers, -F file or KAFKA_BROKERS");
		return -1;
	}
	if (kconf_set(conf, "bootstrap.servers", val, why, sizeof(why)) < 0) {
		snprintf(errstr, errsize, "%s '%s': %s", from, val, why);
		return -1;
	}
	return 0;
}
