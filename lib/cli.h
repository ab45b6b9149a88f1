/*
 * cli.h: the command line every program shares. One program name for all
 * messages, one usage-error format ("prog: what is wrong", then the
 * synopsis, exit 2, through dieusage() of util.h), --help with every
 * option, -V with the versions of the libraries linked, and one message
 * for a bad number in any option. For cmd/ only: like die(), these are
 * the lib/ functions that exit (usage errors 2, --help and -V 0).
 */
#ifndef WEBMON_CLI_H
#define WEBMON_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct cli_prog {
	const char *name;	/* "wm-probe": the prefix of every message */
	const char *synopsis;	/* "usage: NAME ...\n" lines, for errors and help */
	const char *options;	/* the option list --help prints after the synopsis */
	/* Writes one line per outside library linked: "libpq 16.4"; may be NULL. */
	void (*versions)(FILE *fp);
	/*
	 * A message of its own for an unknown short option c (e.g. a kcat
	 * flag the program does not take), or NULL; the field may be NULL.
	 */
	const char *(*unknown_opt)(int c);
};

/* Set the program (name and usage) for every message; first thing in main(). */
void cli_init(const struct cli_prog *prog);

/*
 * getopt_long() with opterr off and our messages: an unknown option, a
 * missing argument or an argument to an option that takes none is a usage
 * error (exit 2). Returns as getopt_long() does, never ':', and '?' only
 * for a valid -? (when shortopts has it) or a long option whose val is '?'.
 */
int cli_getopt(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts);
/* The option cli_getopt() returned last, as typed: "-c" or "--concurrency". */
const char *cli_optname(void);

/* The synopsis and the option list on stdout, then exit 0. */
_Noreturn void cli_help(void);
/* "NAME webmon-VERSION" and the libraries' versions on stdout, then exit 0. */
_Noreturn void cli_version(void);

/*
 * The argument of the option just parsed as a number; one that is not a
 * number or is out of range is a usage error with the shared message
 * "OPTION 'ARG': bad number, want ...". cli_size() takes a k, M or G suffix.
 */
long cli_long(const char *arg, long min, long max);
double cli_seconds(const char *arg, double min);
size_t cli_size(const char *arg, size_t min, size_t max);

#endif
