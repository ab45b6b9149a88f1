/* cli.c: the command line every program shares (see cli.h). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct cli_prog *prog;
static char optname[64];	/* the option returned last, as typed */

void
cli_init(const struct cli_prog *p)
{
	prog = p;
	setprogname(p->name);
	setusage(p->synopsis);
}

/* The option in arg ("--name=value" or "--name") without its value. */
static const char *
longname(const char *arg)
{
	snprintf(optname, sizeof(optname), "%.*s", (int)strcspn(arg, "="), arg);
	return optname;
}

/* How many long options start with name. */
static int
prefixes(const struct option *longopts, const char *name)
{
	size_t len = strlen(name);
	int n = 0;

	for (; longopts && longopts->name; longopts++)
		n += strncmp(longopts->name, name, len) == 0;
	return n;
}

int
cli_getopt(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts)
{
	char spec[128];
	const char *prev, *msg;
	int c, li = -1;

	/* A leading ':' makes a missing argument ':' rather than '?'. */
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, &li);
	if (c == -1)
		return c;
	prev = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (c == ':') {
		if (strncmp(prev, "--", 2) == 0)
			dieusage("option '%s' needs an argument", longname(prev));
		dieusage("option '-%c' needs an argument", optopt);
	}
	if (c == '?' && li < 0) {	/* li >= 0: a long option whose val is '?' */
		if (strncmp(prev, "--", 2) == 0) {
			if (optopt != 0)
				dieusage("option '%s' takes no argument",
				    longname(prev));
			dieusage("%s option '%s'", prefixes(longopts,
			    longname(prev) + 2) > 1 ? "ambiguous" : "unknown",
			    optname);
		}
		if (optopt != 0 && prog->unknown_opt != NULL &&
		    (msg = prog->unknown_opt(optopt)) != NULL)
			dieusage("%s", msg);
		if (optopt != 0)
			dieusage("unknown option '-%c'", optopt);
		/* optopt 0 and no "--": a valid -? */
	}
	if (li >= 0)
		snprintf(optname, sizeof(optname), "--%s", longopts[li].name);
	else
		snprintf(optname, sizeof(optname), "-%c", c);
	return c;
}

const char *
cli_optname(void)
{
	return optname[0] ? optname : "argument";
}

void
cli_help(void)
{
	fputs(prog->synopsis, stdout);
	fputs(prog->options, stdout);
	if (fflush(stdout) == EOF)
		die("write <stdout>:");
	exit(0);
}

void
cli_version(void)
{
	printf("%s webmon-%s\n", prog->name, WEBMON_VERSION);
	if (prog->versions)
		prog->versions(stdout);
	if (fflush(stdout) == EOF)
		die("write <stdout>:");
	exit(0);
}

long
cli_long(const char *arg, long min, long max)
{
	long v;

	if (parse_long(arg, min, max, &v) < 0 && max >= 1L << 40)
		dieusage("%s '%s': bad number, want a whole number from %ld",
		    cli_optname(), arg, min);
	if (parse_long(arg, min, max, &v) < 0)
		dieusage("%s '%s': bad number, want a whole number from %ld "
		    "to %ld", cli_optname(), arg, min, max);
	return v;
}

double
cli_seconds(const char *arg, double min)
{
	double v;

	if (parse_seconds(arg, &v) < 0 || v < min)
		dieusage("%s '%s': bad number, want seconds from %g",
		    cli_optname(), arg, min);
	return v;
}

size_t
cli_size(const char *arg, size_t min, size_t max)
{
	size_t v;

	if (parse_size(arg, &v) < 0 || v < min || v > max)
		dieusage("%s '%s': bad number, want bytes from %zu to %zu "
		    "(suffix k, M or G allowed)", cli_optname(), arg, min, max);
	return v;
}
