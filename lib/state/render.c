/* render.c: event and digest variables, and {{key}} templates over them. */
#include "state/render.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *
str_or(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : def;
}

void
render_event_text(const json_t *ev, struct buf *b)
{
	const char *kind = str_or(ev, "kind", "event"), *p;
	const json_t *probe = json_object_get(ev, "probe");
	const char *err = str_or(ev, "error", NULL);
	const char *det = str_or(ev, "detail", NULL);

	for (p = kind; *p; p++)
		buf_putc(b, *p == '_' ? ' ' : (char)(*p >= 'a' && *p <= 'z' ?
		    *p - 32 : *p));
	buf_printf(b, " %s", str_or(ev, "url", "?"));
	if (json_is_string(probe))
		buf_printf(b, " (%s)", json_string_value(probe));
	else
		buf_printf(b, " (%lld of %lld probes)",
		    (long long)json_integer_value(json_object_get(ev, "probes_down")),
		    (long long)json_integer_value(json_object_get(ev, "probes")));
	if (strcmp(kind, "up") == 0 || strcmp(kind, "fresh") == 0)
		buf_printf(b, ": %s since %s", str_or(ev, "previous", "?"),
		    str_or(ev, "previous_since", "the start"));
	else if (err || det)
		buf_printf(b, ": %s%s%s", err ? err : "", err && det ? ", " : "",
		    det ? det : "");
	buf_printf(b, " at %s", str_or(ev, "ts", "?"));
}

json_t *
render_vars(json_t *const *evs, size_t n, const char *id)
{
	static const char *const kinds[] = { "down", "up", "degraded",
	    "cert_expiring", "stale", "fresh" };
	struct buf b = BUF_INIT;
	json_t *v, *arr;
	size_t i, k, cnt;

	if (n == 1) {
		const char *ek = str_or(evs[0], "kind", "");

		v = json_deep_copy(evs[0]);
		render_event_text(evs[0], &b);
		json_object_set_new(v, "text", json_string(b.data));
		json_object_set_new(v, "action", json_string(
		    strcmp(ek, "up") == 0 || strcmp(ek, "fresh") == 0 ?
		    "resolve" : "trigger"));
		buf_free(&b);
		return v;
	}
	v = json_object();
	arr = json_array();
	json_object_set_new(v, "id", json_string(id));
	json_object_set_new(v, "kind", json_string("digest"));
	json_object_set_new(v, "count", json_integer((json_int_t)n));
	json_object_set_new(v, "action", json_string("trigger"));
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		for (cnt = 0, i = 0; i < n; i++)
			cnt += strcmp(str_or(evs[i], "kind", ""), kinds[k]) == 0;
		if (cnt)
			buf_printf(&b, "%s%zu %s", b.len ? ", " : "", cnt, kinds[k]);
	}
	for (i = 0; i < n; i++) {
		json_array_append(arr, evs[i]);
		if (i < 50) {
			buf_putc(&b, '\n');
			render_event_text(evs[i], &b);
		}
	}
	if (n > 50)
		buf_printf(&b, "\n... and %zu more", n - 50);
	json_object_set_new(v, "text", json_string(b.data ? b.data : ""));
	json_object_set_new(v, "events", arr);
	buf_free(&b);
	return v;
}

/* The value of a variable: env.NAME is the environment variable NAME. */
static json_t *
lookup(json_t *vars, const char *name, json_t **tmp)
{
	const char *e;

	*tmp = NULL;
	if (strncmp(name, "env.", 4) == 0) {
		e = getenv(name + 4);
		return *tmp = e ? json_string(e) : json_null();
	}
	return json_object_get(vars, name);
}

/* The text of a variable inside a longer string. */
static void
var_text(const json_t *val, struct buf *b)
{
	char *s;

	if (val == NULL || json_is_null(val))
		return;
	if (json_is_string(val)) {
		buf_append(b, json_string_value(val), json_string_length(val));
		return;
	}
	s = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s)
		buf_puts(b, s);
	free(s);
}

static json_t *
render_value(const json_t *t, json_t *vars)
{
	const char *s, *o, *c, *key;
	struct buf b = BUF_INIT, name = BUF_INIT;
	json_t *out, *val, *tmp;
	size_t i, len;

	if (json_is_object(t)) {
		out = json_object();
		json_object_foreach((json_t *)t, key, val)
			json_object_set_new(out, key, render_value(val, vars));
		return out;
	}
	if (json_is_array(t)) {
		out = json_array();
		json_array_foreach(t, i, val)
			json_array_append_new(out, render_value(val, vars));
		return out;
	}
	if (!json_is_string(t))
		return json_deep_copy(t);
	s = json_string_value(t);
	len = json_string_length(t);
	/* "{{key}}" alone keeps the value's type. */
	if (len > 4 && strncmp(s, "{{", 2) == 0 && strstr(s + 2, "{{") == NULL &&
	    (c = strstr(s, "}}")) != NULL && c == s + len - 2) {
		buf_append(&name, s + 2, len - 4);
		val = lookup(vars, name.data, &tmp);
		buf_free(&name);
		out = val ? json_deep_copy(val) : json_null();
		json_decref(tmp);
		return out;
	}
	while ((o = strstr(s, "{{")) != NULL && (c = strstr(o + 2, "}}")) != NULL) {
		buf_append(&b, s, (size_t)(o - s));
		buf_reset(&name);
		buf_append(&name, o + 2, (size_t)(c - o - 2));
		var_text(lookup(vars, name.data, &tmp), &b);
		json_decref(tmp);
		s = c + 2;
	}
	buf_puts(&b, s);
	out = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	buf_free(&name);
	return out;
}

char *
render_body(const json_t *tpl, json_t *vars)
{
	json_t *v;
	char *s;

	if (tpl == NULL) {
		v = json_deep_copy(vars);
		json_object_del(v, "action");
		if (!json_is_array(json_object_get(v, "events")))
			json_object_del(v, "text");	/* an event as it came */
	} else
		v = render_value(tpl, vars);
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (s == NULL)
		die("out of memory rendering a body");
	return s;
}

int
render_match(json_t *ev, const char *const *match, int n)
{
	char key[128], num[64];
	const char *eq, *s;
	json_t *v;
	int i;

	for (i = 0; i < n; i++) {
		if ((eq = strchr(match[i], '=')) == NULL)
			return 0;
		snprintf(key, sizeof key, "%.*s", (int)(eq - match[i]), match[i]);
		if (strncmp(key, "tags.", 5) == 0)
			v = json_object_get(json_object_get(ev, "tags"), key + 5);
		else
			v = json_object_get(ev, key);
		if (json_is_string(v))
			s = json_string_value(v);
		else if (json_is_integer(v))
			snprintf(num, sizeof num, "%lld",
			    (long long)json_integer_value(v)), s = num;
		else if (json_is_null(v))
			s = "null";
		else
			return 0;
		if (fnmatch(eq + 1, s, 0) != 0)
			return 0;
	}
	return 1;
}
