/*
 * pgreject.h: the reject records of a loader, one NDJSON object per line
 * set aside ({"file", "line", "error", "input"}), queued, then written (and
 * made durable in a regular file) before the acknowledgement covering them.
 */
#ifndef WEBMON_PGREJECT_H
#define WEBMON_PGREJECT_H

#include <stddef.h>

#include "buf.h"

struct pgreject {
	int fd;			/* 2, or the reject file (owned) */
	int sync;		/* a regular file: fdatasync() after writing */
	const char *name;	/* for messages; not owned */
	struct buf queue;	/* records not written yet */
};

/*
 * Append to path, created if need be (NULL: standard error). Returns 0, or
 * -1 with err. Free with pgreject_free().
 */
int pgreject_open(struct pgreject *r, const char *path, char *err,
    size_t errsize);
/* Queue a record for line lineno of file (NULL: no "file" member). */
void pgreject_add(struct pgreject *r, const char *file, unsigned long lineno,
    const char *why, const char *line, size_t len);
/* Write the queued records and sync them. Returns 0, or -1 with err. */
int pgreject_write(struct pgreject *r, char *err, size_t errsize);
/* Close the file (not standard error) and free the queue. */
void pgreject_free(struct pgreject *r);

#endif
