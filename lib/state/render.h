/*
 * render.h: notification bodies for wm-notify. A template is any JSON
 * document; in its strings, {{key}} is replaced by the value of key, and a
 * string that is exactly "{{key}}" becomes the value itself (a number, an
 * object, an array). Keys are the event's keys plus text (a one-line
 * summary) and action ("resolve" for up and fresh, else "trigger"); a
 * digest has id, kind ("digest"), count, action, text (a summary with one
 * line per event) and events (the array of events). {{env.NAME}} is the
 * environment variable NAME, so a secret stays out of the template.
 */
#ifndef WEBMON_RENDER_H
#define WEBMON_RENDER_H
#include <jansson.h>
#include <stddef.h>
#include "buf.h"

/* A one-line human summary of event ev, appended to b. */
void render_event_text(const json_t *ev, struct buf *b);
/*
 * The variables of a digest of evs[0..n) with the given id: a new object
 * the caller frees with json_decref (n == 1: the event's own variables).
 */
json_t *render_vars(json_t *const *evs, size_t n, const char *id);
/*
 * The body for vars: tpl rendered (tpl NULL: the variables themselves
 * without text, i.e. the event or the digest as JSON). Returns a malloc'd
 * NUL-terminated string the caller frees.
 */
char *render_body(const json_t *tpl, json_t *vars);
/*
 * 1 if event ev matches every KEY=GLOB of match[0..n): the event's KEY (a
 * tag with tags.NAME) as text matches the glob(7) pattern GLOB.
 */
int render_match(json_t *ev, const char *const *match, int n);
#endif
