/*
 * kdeliver.h: a producer's delivery reports. A line that could not be
 * delivered is described on stderr (the first few) and written, as it was
 * read, to the failed output; at exit the producer waits for the reports
 * still out, and after a signal gives up on them at a deadline.
 */
#ifndef WEBMON_KDELIVER_H
#define WEBMON_KDELIVER_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "progress.h"

#define KDELIVER_DESCRIBE 10	/* failed lines described one by one */

struct kdeliver {
	FILE *fp;			/* the failed output */
	const char *name;		/* its name in messages */
	const char *keydelim;		/* -K delimiter put back, or NULL */
	const char *delim;		/* ends each line written; NULL: "\n" */
	const char **files;		/* input names, indexed by the origin */
	size_t nfiles;
	unsigned long described;	/* failures described on stderr */
	int quiet;			/* describe none */
	struct progress *prog;		/* cleared before a description */
};

/*
 * Open the failed output: stderr for NULL, stdout for "-", else path
 * appended to. Returns 0, or -1 with errbuf.
 */
int kdeliver_open(struct kdeliver *d, const char *path, char *errbuf,
    size_t errsize);
/*
 * Flush the failed output, close it unless stderr/stdout, free the names
 * array (not the names). Returns 0, or -1 with errbuf on a write error.
 */
int kdeliver_close(struct kdeliver *d, char *errbuf, size_t errsize);
/*
 * Remember an input's name (the caller keeps the string alive). Returns its
 * index for korigin, or -1 with errbuf when there are too many inputs.
 */
long kdeliver_addfile(struct kdeliver *d, const char *name, char *errbuf,
    size_t errsize);
/* The reason for a failed delivery report's err (a static string). */
const char *kdeliver_why(rd_kafka_resp_err_t err);
/*
 * Describe m (its _private made by korigin_pack()) as not delivered, why,
 * and write its line to the failed output, as it was read, followed by
 * delim. Returns 0, or -1 with errbuf on
 * a write error.
 */
int kdeliver_fail(struct kdeliver *d, const rd_kafka_message_t *m,
    const char *why, char *errbuf, size_t errsize);
/*
 * Call service(arg, 100) until *inflight is 0. Once *stop is set, purge
 * what is still queued or in flight after timeout_s seconds, at once when
 * *stop > 1 (the purged lines come back as failed reports).
 */
void kdeliver_drain(rd_kafka_t *rk, const unsigned long *inflight,
    const volatile sig_atomic_t *stop, double timeout_s,
    void (*service)(void *arg, int timeout_ms), void *arg);

#endif
