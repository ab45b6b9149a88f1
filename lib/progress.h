/*
 * progress.h: a one-line progress display on stderr, shown only when stderr
 * is a terminal, redrawn at most a few times a second. There is one line
 * per process: every message of util.h erases it first, and a program
 * calls progress_before() before writing data that may reach the same
 * terminal, so that no output ever shares a line with progress text.
 */
#ifndef WEBMON_PROGRESS_H
#define WEBMON_PROGRESS_H

struct progress {
	int enabled;		/* stderr is a terminal; clear it to stay silent */
	int shown;		/* this handle's line is on screen */
	double last_ms;		/* monotonic time of the last redraw */
};

void progress_init(struct progress *p);
/* Redraw the line if enough time has passed since the last redraw. */
void progress_update(struct progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Clear the line, e.g. at exit. */
void progress_clear(struct progress *p);
/*
 * Before writing to fd: erase the progress line if fd is stderr or the
 * same terminal as stderr. Cheap when no line is shown.
 */
void progress_before(int fd);

#endif
