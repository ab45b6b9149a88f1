/*
 * kprod.h: kcat's producer flags that shape messages: -D and -K delimiters
 * with kcat's escapes, -H headers, -Z, -T, and -l (what wm-kafka-pub
 * always does).
 */
#ifndef WEBMON_KPROD_H
#define WEBMON_KPROD_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

/* getopt letters kprod_opt() takes. */
#define KPROD_OPTS	"D:H:K:lTZ"

struct kprod {
	char *delim;			/* -D decoded (owned), or NULL: "\n" */
	size_t dlen;
	char *keydelim;			/* -K decoded (owned), or NULL */
	rd_kafka_headers_t *hdrs;	/* -H (owned), or NULL */
	int nulls;			/* -Z */
	int tee;			/* -T */
};

/*
 * Add kcat's -H argument, "name=value" or "name" (a header without a
 * value), to *hdrs, made on first use (caller destroys it with
 * rd_kafka_headers_destroy()). Returns 0, or -1 with errstr set.
 */
int kprod_header(rd_kafka_headers_t **hdrs, const char *arg, char *errstr,
    size_t errsize);

/*
 * Take option opt (one of KPROD_OPTS) with its argument. Returns 0, or -1
 * with errstr set.
 */
int kprod_opt(struct kprod *kp, int opt, const char *arg, char *errstr,
    size_t errsize);
/*
 * -T: write line and the record delimiter (-D's or "\n") to stdout
 * (buffered); line NULL: flush stdout. Returns 0, or the errno of a failed
 * write.
 */
int kprod_tee(const struct kprod *kp, const char *line, size_t len);
/* Free what kp owns; kp is empty afterwards. */
void kprod_free(struct kprod *kp);

#endif
