/*
 * kdeliver.c: a producer's failed lines and the wait for the last delivery
 * reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kdeliver.h"
#include "kafka/korigin.h"
#include "timeutil.h"
#include "util.h"

int
kdeliver_open(struct kdeliver *d, const char *path, char *errbuf,
    size_t errsize)
{
	if (path == NULL) {
		d->fp = stderr;
		d->name = "<stderr>";
	} else if (strcmp(path, "-") == 0) {
		d->fp = stdout;
		d->name = "<stdout>";
	} else {
		if ((d->fp = fopen(path, "a")) == NULL) {
			snprintf(errbuf, errsize, "open '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		d->name = path;
	}
	return 0;
}

static int
write_error(struct kdeliver *d, char *errbuf, size_t errsize)
{
	snprintf(errbuf, errsize, "write '%s': %s", d->name, strerror(errno));
	return -1;
}

int
kdeliver_close(struct kdeliver *d, char *errbuf, size_t errsize)
{
	free(d->files);
	d->files = NULL;
	d->nfiles = 0;
	if (fflush(d->fp) == EOF || (d->fp != stderr && d->fp != stdout &&
	    fclose(d->fp) == EOF))
		return write_error(d, errbuf, errsize);
	return 0;
}

long
kdeliver_addfile(struct kdeliver *d, const char *name, char *errbuf,
    size_t errsize)
{
	if (d->nfiles >= KORIGIN_MAX_FILES) {
		snprintf(errbuf, errsize, "too many input files");
		return -1;
	}
	d->files = xreallocarray(d->files, d->nfiles + 1, sizeof(*d->files));
	d->files[d->nfiles] = name;
	return (long)d->nfiles++;
}

const char *
kdeliver_why(rd_kafka_resp_err_t err)
{
	if (err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
		return "purged while in flight (may have been delivered)";
	return rd_kafka_err2str(err);
}

static int
put(struct kdeliver *d, const void *s, size_t n)
{
	return n == 0 || fwrite(s, 1, n, d->fp) == n ? 0 : -1;
}

int
kdeliver_fail(struct kdeliver *d, const rd_kafka_message_t *m,
    const char *why, char *errbuf, size_t errsize)
{
	struct korigin o = korigin_unpack(m->_private);

	if (!d->quiet) {
		progress_clear(d->prog);
		if (d->described < KDELIVER_DESCRIBE)
			warnmsg("%s:%lu: not delivered: %s", d->files[o.file],
			    o.lineno, why);
		else if (d->described == KDELIVER_DESCRIBE)
			warnmsg("further undelivered lines are not described");
		d->described++;
	}
	progress_before(fileno(d->fp));	/* no line after progress text */
	/* A line that held the -K delimiter is written back whole. */
	if (o.delim && (put(d, m->key, m->key_len) < 0 ||
	    put(d, d->keydelim, strlen(d->keydelim)) < 0))
		return write_error(d, errbuf, errsize);
	if (put(d, m->payload, m->len) < 0 ||
	    (d->delim ? put(d, d->delim, strlen(d->delim)) < 0 :
	    putc('\n', d->fp) == EOF))
		return write_error(d, errbuf, errsize);
	if (d->fp == stderr)
		fflush(stderr);
	return 0;
}

void
kdeliver_drain(rd_kafka_t *rk, const unsigned long *inflight,
    const volatile sig_atomic_t *stop, double timeout_s,
    void (*service)(void *arg, int timeout_ms), void *arg)
{
	double deadline = 0;
	int purged = 0;

	while (*inflight > 0) {
		if (*stop && deadline == 0)
			deadline = mono_ms() + timeout_s * 1000.0;
		if (!purged && (*stop > 1 || (deadline && mono_ms() >= deadline))) {
			/* Undelivered lines come back with a purge error. */
			rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE |
			    RD_KAFKA_PURGE_F_INFLIGHT);
			purged = 1;
		}
		service(arg, 100);
	}
}
