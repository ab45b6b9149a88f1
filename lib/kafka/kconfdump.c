/* kconfdump.c: kcat's -X dump, secrets masked (see kconfdump.h). */
#include "kafka/kconfdump.h"

#include <string.h>

int
kconfdump_secret(const char *name)
{
	/* librdkafka's sensitive properties, and any it may add. */
	return strstr(name, "password") != NULL ||
	    strstr(name, "secret") != NULL ||
	    strcmp(name, "ssl.key.pem") == 0 ||
	    strcmp(name, "sasl.oauthbearer.config") == 0;
}

static void
section(FILE *fp, const char *title, const char **arr, size_t cnt)
{
	size_t i;

	fprintf(fp, "# %s\n", title);
	for (i = 0; i + 1 < cnt; i += 2) {
		/* A pointer: its properties are the topic section. */
		if (strcmp(arr[i], "default_topic_conf") == 0)
			continue;
		fprintf(fp, "%s = %s\n", arr[i], kconfdump_secret(arr[i]) &&
		    arr[i + 1][0] != '\0' ? "[redacted]" : arr[i + 1]);
	}
	fputc('\n', fp);
}

int
kconfdump_write(rd_kafka_conf_t *conf, FILE *fp)
{
	rd_kafka_topic_conf_t *tc, *own = NULL;
	const char **arr;
	size_t cnt;

	arr = rd_kafka_conf_dump(conf, &cnt);
	section(fp, "Global config", arr, cnt);
	rd_kafka_conf_dump_free(arr, cnt);
	/* Topic properties set with -X live in the default topic conf. */
	if ((tc = rd_kafka_conf_get_default_topic_conf(conf)) == NULL)
		tc = own = rd_kafka_topic_conf_new();
	arr = rd_kafka_topic_conf_dump(tc, &cnt);
	section(fp, "Topic config", arr, cnt);
	rd_kafka_conf_dump_free(arr, cnt);
	if (own != NULL)
		rd_kafka_topic_conf_destroy(own);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}
