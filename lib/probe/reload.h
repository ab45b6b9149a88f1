/*
 * reload.h: what a reload of wm-probe --watch changes. A pure function of
 * the running site set and the newly read one (no clock, no I/O): each new
 * site is either a running one with the same whole definition, which keeps
 * its schedule, or joins; a joining site with the url of a leaving one is
 * a changed site; every running site not kept leaves.
 */
#ifndef WEBMON_RELOAD_H
#define WEBMON_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#define RELOAD_NONE SIZE_MAX

/* One site as the plan sees it. */
struct reload_site {
	uint64_t urlhash;	/* hash of the url alone */
	uint64_t defhash;	/* hash of everything that defines the probe */
};

struct reload_plan {
	size_t *keep;		/* owned; per new site: the running site it is, or RELOAD_NONE (joins) */
	size_t *replaces;	/* owned; per new site: the leaving site with its url it changes, or RELOAD_NONE */
	unsigned char *leave;	/* owned; per running site: 1 if it leaves */
	size_t kept;		/* new sites that keep a running one */
	size_t added;		/* joining sites with a url not running before */
	size_t changed;		/* joining sites that change a running url */
	size_t removed;		/* leaving sites whose url is gone */
};

/*
 * Plan the change from old[0..nold) to new[0..nnew). Duplicates pair off
 * one to one, in order. Release with reload_plan_free().
 */
void reload_plan(struct reload_plan *p, const struct reload_site *old,
    size_t nold, const struct reload_site *new, size_t nnew);
/* Free the plan's arrays; p is empty afterwards. */
void reload_plan_free(struct reload_plan *p);

#endif
