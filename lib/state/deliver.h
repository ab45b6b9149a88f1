/*
 * deliver.h: one attempt at delivering a notification: an HTTP POST of a
 * JSON body (libcurl), or a command run with the body on its stdin and
 * variables in its environment. The caller decides about retries.
 */
#ifndef WEBMON_DELIVER_H
#define WEBMON_DELIVER_H
#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

enum {
	DELIV_OK = 0,
	DELIV_RETRY = 1,	/* 5xx, 408, 429, timeout, connection error, command failed */
	DELIV_FAIL = 2		/* other 4xx, 3xx: retrying will not help */
};

struct webhook {
	CURL *curl;		/* owned, reused so connections are kept alive */
	char *url;		/* owned */
	struct curl_slist *headers;	/* owned: the fixed ones */
	long timeout_ms;
};

/*
 * Read the webhook from a file: its first line is the URL, the next lines
 * are "Name: value" headers. Returns 0, or -1 with err set (the message
 * never holds the file's contents).
 */
int webhook_load(const char *path, char **url, struct curl_slist **headers,
    char *err, size_t errsize);
/* Set up a webhook to url (copied; http or https only) with extra headers (taken). */
int webhook_init(struct webhook *w, const char *url, struct curl_slist *headers,
    long timeout_ms, char *err, size_t errsize);
void webhook_free(struct webhook *w);
/* POST body with X-Webmon-Event: id. Returns DELIV_*, with why set unless OK. */
int webhook_post(struct webhook *w, const char *id, const char *body,
    char *why, size_t whysize);
/*
 * Run "sh -c cmd" with body on stdin and WM_<KEY> set for each scalar of
 * vars (a JSON object); killed after timeout_ms. Returns DELIV_OK when it
 * exits 0, else DELIV_RETRY with why set.
 */
int exec_run(const char *cmd, const char *body, const json_t *vars,
    long timeout_ms, char *why, size_t whysize);
#endif
