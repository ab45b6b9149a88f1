/* kconf.c: librdkafka configuration from -X arguments and -F files. */
#include "kconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kfailfast.h"
#include "util.h"

int
kconf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
    char *errstr, size_t errsize)
{
	char why[512];
	rd_kafka_conf_res_t res;

	/* webmon's own property, not librdkafka's (kfailfast.h). */
	if (strcmp(name, KFAILFAST_PROP) == 0)
		return kfailfast_set_timeout(val, errstr, errsize);
	res = rd_kafka_conf_set(conf, name, val, why, sizeof(why));
	/* kcat's "topic.X" spelling: X is a topic property set as a default. */
	if (res == RD_KAFKA_CONF_UNKNOWN && strncmp(name, "topic.", 6) == 0)
		res = rd_kafka_conf_set(conf, name + 6, val, why, sizeof(why));
	if (res != RD_KAFKA_CONF_OK) {
		snprintf(errstr, errsize, "%s", why);
		return -1;
	}
	return 0;
}

int
kconf_set_arg(rd_kafka_conf_t *conf, const char *arg, char *errstr, size_t errsize)
{
	const char *eq = strchr(arg, '=');
	char *name;
	int rc;

	if (eq == NULL || eq == arg) {
		snprintf(errstr, errsize, "expected -X property=value, not '%s'", arg);
		return -1;
	}
	name = strndup(arg, (size_t)(eq - arg));
	if (name == NULL) {
		snprintf(errstr, errsize, "out of memory");
		return -1;
	}
	rc = kconf_set(conf, name, eq + 1, errstr, errsize);
	free(name);
	return rc;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
kconf_read_file(rd_kafka_conf_t *conf, const char *path, char *errstr, size_t errsize)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *s, *eq;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	if (fp == NULL) {
		snprintf(errstr, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, fp) != -1) {
		char why[512];

		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL || eq == s) {
			snprintf(errstr, errsize, "%s:%lu: expected property=value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		if (kconf_set(conf, trim(s), trim(eq + 1), why, sizeof(why)) < 0) {
			snprintf(errstr, errsize, "%s:%lu: %s", path, lineno, why);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(errstr, errsize, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
}

char *
kconf_tag(char opt, const char *arg)
{
	size_t n = strlen(arg);
	char *t = xmalloc(n + 2);

	t[0] = opt;
	memcpy(t + 1, arg, n + 1);
	return t;
}

int
kconf_apply_tagged(rd_kafka_conf_t *conf, char *const *args, size_t n,
    size_t *bad, char *errstr, size_t errsize)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = args[i] + 1;
		int rc = args[i][0] == 'F' ? (kconf_no_file(a) ? 0 :
		    kconf_read_file(conf, a, errstr, errsize)) :
		    kconf_set_arg(conf, a, errstr, errsize);

		if (rc < 0) {
			*bad = i;
			return -1;
		}
	}
	return 0;
}

int
kconf_isset(const rd_kafka_conf_t *conf, const char *name)
{
	size_t size = 0;
	char *val;
	int set;

	/* Without a destination only a length comes back, and for flag
	 * properties such as debug it is 2 when they are empty: read it. */
	if (rd_kafka_conf_get(conf, name, NULL, &size) != RD_KAFKA_CONF_OK ||
	    size <= 1)
		return 0;
	val = xmalloc(size);
	set = rd_kafka_conf_get(conf, name, val, &size) == RD_KAFKA_CONF_OK &&
	    val[0] != '\0';
	free(val);
	return set;
}

int
kconf_producer(rd_kafka_conf_t *conf, char *errstr, size_t errsize)
{
	static const char *defaults[][2] = {
		{ "acks", "all" },
		{ "enable.idempotence", "true" },
		{ "linger.ms", "10" },
		{ "batch.num.messages", "10000" },
		{ "queue.buffering.max.messages", "100000" },
		{ "queue.buffering.max.kbytes", "65536" },
		{ "log.connection.close", "false" },
	};
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (kconf_set(conf, defaults[i][0], defaults[i][1], errstr,
		    errsize) < 0)
			return -1;
	return 0;
}

void
kconf_consumer(rd_kafka_conf_t *conf, const char *client, const char *group,
    int from_end)
{
	char errstr[256];

	kconf_set(conf, "client.id", client, errstr, sizeof(errstr));
	/*
	 * A sink cares about delay more than about idle fetch requests: a
	 * broker that holds an empty fetch for the full wait (librdkafka's
	 * default is 500 ms) would add that much to a row's way into the
	 * database. -X fetch.wait.max.ms=... overrides it.
	 */
	kconf_set(conf, "fetch.wait.max.ms", "100", errstr, sizeof(errstr));
	if (group == NULL)
		return;
	kconf_set(conf, "group.id", group, errstr, sizeof(errstr));
	kconf_set(conf, "enable.auto.offset.store", "false", errstr,
	    sizeof(errstr));
	kconf_set(conf, "enable.auto.commit", "true", errstr, sizeof(errstr));
	kconf_set(conf, "auto.offset.reset", from_end ? "latest" : "earliest",
	    errstr, sizeof(errstr));
}

int
kconf_brokers(rd_kafka_conf_t *conf, const char *brokers, char *errstr,
    size_t errsize)
{
	const char *env = getenv("KAFKA_BROKERS");
	char why[256];

	if (brokers) {
		if (kconf_set(conf, "bootstrap.servers", brokers, why,
		    sizeof(why)) < 0) {
			snprintf(errstr, errsize, "-b '%s': %s", brokers, why);
			return -1;
		}
		return 0;
	}
	if (kconf_isset(conf, "bootstrap.servers"))
		return 0;
	if (env == NULL || *env == '\0') {
		snprintf(errstr, errsize, "no brokers: use -b host:port, "
		    "-X bootstrap.servers, -F file or KAFKA_BROKERS");
		return -1;
	}
	if (kconf_set(conf, "bootstrap.servers", env, why, sizeof(why)) < 0) {
		snprintf(errstr, errsize, "KAFKA_BROKERS '%s': %s", env, why);
		return -1;
	}
	return 0;
}

int
kconf_no_file(const char *path)
{
	return strcmp(path, "-") == 0 || strcmp(path, "none") == 0;
}

/* kcat's default files, $HOME/.config/kcat.conf or else kafkacat.conf. */
static int
home_config(rd_kafka_conf_t *conf, char *errstr, size_t errsize)
{
	static const char *const names[] = { "kcat.conf", "kafkacat.conf" };
	const char *home = getenv("HOME");
	char path[4096];
	size_t i;

	for (i = 0; home != NULL && *home != '\0' && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/.config/%s", home, names[i]);
		if (access(path, F_OK) < 0 && (errno == ENOENT ||
		    errno == ENOTDIR))
			continue;
		return kconf_read_file(conf, path, errstr, errsize);
	}
	return 0;
}

int
kconf_kcat_config(rd_kafka_conf_t *conf, char *const *tagged, size_t n,
    char *errstr, size_t errsize)
{
	const char *env = getenv("KCAT_CONFIG"), *name = "KCAT_CONFIG";
	char why[512];
	size_t i;
	int search = 1;

	/* An -F file replaces them all; -F - or -F none only the search. */
	for (i = 0; i < n; i++) {
		if (tagged[i][0] == 'F' && !kconf_no_file(tagged[i] + 1))
			return 0;
		if (tagged[i][0] == 'F')
			search = 0;
	}
	if (env == NULL || *env == '\0') {
		env = getenv("KAFKACAT_CONFIG");
		name = "KAFKACAT_CONFIG";
	}
	if (env == NULL || *env == '\0')
		return search ? home_config(conf, errstr, errsize) : 0;
	if (kconf_read_file(conf, env, why, sizeof(why)) < 0) {
		snprintf(errstr, errsize, "%s: %s", name, why);
		return -1;
	}
	return 0;
}
