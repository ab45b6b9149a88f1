/* util.h: program name, error reporting and allocation that cannot fail. */
#ifndef WEBMON_UTIL_H
#define WEBMON_UTIL_H

#include <stddef.h>

/* Name used to prefix messages; set once by cli_init() (cli.h). */
extern const char *progname;
/* Set progname to the last component of argv0. */
void setprogname(const char *argv0);
/* The "usage: ..." lines dieusage() prints; set by cli_init(), not copied. */
void setusage(const char *synopsis);

/*
 * Print "prog: message" on stderr, after erasing a progress line. A format
 * ending in ':' gets ": strerror(errno)" appended. die() then exits with
 * status 1; dieusage() prints the usage lines and exits with status 2.
 */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void dieusage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The one -v stats format of every program, one line on stderr:
 *   prog: 2026-11-30T05:40:00Z KIND: key=value key=value ...
 * KIND is "stats" for a periodic line and "total" for the last one at exit;
 * the time is UTC, RFC 3339, to the second. Keys are lowercase words joined
 * by '_' (a rate ends in "/s"); values are numbers without units.
 */
void statsmsg(const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Allocation wrappers: exit with status 1 on failure, never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parse a whole decimal number; returns 0 on success, -1 if junk or out of [min,max]. */
int parse_long(const char *s, long min, long max, long *out);
/* Parse a non-negative decimal number of seconds such as "0.25"; -1 on error. */
int parse_seconds(const char *s, double *out);
/* Parse a positive byte count with an optional k, M or G suffix; -1 on error. */
int parse_size(const char *s, size_t *out);

/*
 * Before writing to fd: erase a progress line that is on the terminal fd
 * writes to. Set by progress.c while a line is shown; NULL otherwise.
 */
extern void (*progress_hook)(int fd);

/* Ignore SIGPIPE so writes return EPIPE and the program can exit cleanly. */
void ignore_sigpipe(void);
/*
 * Call handler on SIGINT and SIGTERM. No SA_RESTART: a blocking call the
 * signal lands in returns EINTR, so the main loop sees the flag at once.
 */
void catch_stop_signals(void (*handler)(int));

#endif
