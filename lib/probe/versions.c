/* versions.c: the versions of the libraries the probe family links. */
#include "versions.h"

#include <curl/curl.h>
#include <jansson.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

void
probe_versions(FILE *fp)
{
	char pcre[64];

	if (pcre2_config(PCRE2_CONFIG_VERSION, pcre) < 0)
		snprintf(pcre, sizeof(pcre), "unknown");
	fprintf(fp, "%s\nPCRE2 %s\njansson %s\n", curl_version(), pcre,
	    jansson_version_str());
}
