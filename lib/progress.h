/*
 * progress.h: a one-line progress display on stderr, shown only when stderr
 * is a terminal, redrawn at most a few times a second.
 */
#ifndef WEBMON_PROGRESS_H
#define WEBMON_PROGRESS_H

struct progress {
	int enabled;		/* stderr is a terminal */
	int shown;		/* a line is on screen and must be cleared */
	double last_ms;		/* monotonic time of the last redraw */
};

void progress_init(struct progress *p);
/* Redraw the line if enough time has passed since the last redraw. */
void progress_update(struct progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Clear the line, e.g. before printing a message or at exit. */
void progress_clear(struct progress *p);

#endif
