/*
 * idset.h: a set of event ids, optionally kept in a file of one id per
 * line that is appended to and fsynced before the ids count as recorded,
 * so a restarted reader knows every id recorded before a crash.
 */
#ifndef WEBMON_IDSET_H
#define WEBMON_IDSET_H
#include <stddef.h>

struct idset {
	char **slot;		/* open addressing; owned strings */
	size_t cap, n;
	int fd;			/* -1: in memory only */
	char *path;		/* owned */
};

/* An empty set in memory. */
void idset_init(struct idset *s);
/*
 * Load the ids in path (made when missing) and keep it open for appends.
 * A last line cut short by a crash is ignored. Returns 0, or -1 with err.
 */
int idset_open(struct idset *s, const char *path, char *err, size_t errsize);
/* 1 if id is in the set. */
int idset_has(const struct idset *s, const char *id);
/* Add id in memory (a copy); 0 if it was there already, 1 if new. */
int idset_add(struct idset *s, const char *id);
/*
 * Append ids[0..n) to the file and fsync it, then add them in memory.
 * Returns 0, or -1 with err set (nothing counts as recorded then).
 */
int idset_record(struct idset *s, char *const *ids, size_t n, char *err,
    size_t errsize);
/* Forget every id in memory (the file is left alone). */
void idset_clear(struct idset *s);
/* Free everything and close the file. */
void idset_free(struct idset *s);
#endif
