/*
 * kconf.h: librdkafka configuration from kcat-style -X prop=val arguments and
 * -F files of prop=val lines.
 */
#ifndef WEBMON_KCONF_H
#define WEBMON_KCONF_H

#include <stddef.h>
#include <librdkafka/rdkafka.h>

/*
 * Set one property. A "topic." prefix is accepted as in kcat and the rest is
 * set as a default topic property. Returns 0, or -1 with a message in errstr.
 */
int kconf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
    char *errstr, size_t errsize);
/* Apply "prop=val" (split on the first '='). Returns 0 or -1 with errstr set. */
int kconf_set_arg(rd_kafka_conf_t *conf, const char *arg, char *errstr,
    size_t errsize);
/*
 * Apply a file of prop=val lines; blank lines and lines starting with '#' are
 * skipped. Returns 0, or -1 with "FILE:LINE: why" in errstr.
 */
int kconf_read_file(rd_kafka_conf_t *conf, const char *path, char *errstr,
    size_t errsize);

#endif
