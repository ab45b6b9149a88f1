/* versions.h: the versions of the libraries the probe family links. */
#ifndef WEBMON_PROBE_VERSIONS_H
#define WEBMON_PROBE_VERSIONS_H

#include <stdio.h>

/* One line each for libcurl (with its TLS and other libraries), PCRE2, jansson. */
void probe_versions(FILE *fp);

#endif
