/* core/format/yaml.c: block-style YAML from cJSON. What may stay plain, and why YAML 1.1's
 * extra implicit types are quoted too: doc/yaml.md. */
#include "core/format/yaml.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct yout {
	char *p;
	size_t cap, len;
	int bad;
};

static void put(struct yout *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->cap)
			o->p[o->len] = s[i];
}

static void puts_(struct yout *o, const char *s)
{
	put(o, s, strlen(s));
}

static void pad(struct yout *o, int n)
{
	for (int i = 0; i < n; i++)
		put(o, " ", 1);
}

/* The code point at s (*adv bytes), or -1 when s is not well-formed UTF-8 (RFC 3629). */
static long utf8_at(const unsigned char *s, size_t *adv)
{
	if (s[0] < 0x80) {
		*adv = 1;
		return s[0];
	}
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (!n)
		return -1;
	long cp = s[0] & (0x3f >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const long min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*adv = (size_t)n;
	return cp;
}

/* YAML's c-printable less the characters YAML 1.1 takes as line breaks and the BOM. */
static int printable(long c)
{
	return c == 0x9 || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff && c != 0x2028 && c != 0x2029) ||
	       (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}

static int utf8_ok(const char *s)
{
	size_t adv;
	for (const unsigned char *p = (const unsigned char *)s; *p; p += adv)
		if (utf8_at(p, &adv) < 0)
			return 0;
	return 1;
}

/* Plain scalars YAML 1.1 or 1.2 resolve to a boolean or null (YAML 1.1 bool and null types,
 * 1.2 core schema), and 1.1's merge and value keys. */
static int special_word(const char *s)
{
	static const char *const words[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
	                                    "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
	                                    "null", "Null", "NULL", "~", "<<", "="};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(s, words[i]))
			return 1;
	return 0;
}

/* A plain scalar that reads back as this string in both versions: printable ASCII, no
 * indicator first, nothing that looks like a number (a digit, sign or dot first also covers
 * 1.1's octal, sexagesimal and timestamps), no ": " or " #", no space at either end. */
static int plain_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || strchr("-?:,[]{}#&*!|>'\"%@` +.0123456789", s[0]) || s[n - 1] == ' ' || s[n - 1] == ':' ||
	    strstr(s, ": ") || strstr(s, " #") || special_word(s))
		return 0;
	for (const char *c = s; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return 0;
	return 1;
}

/* Lines of text for a literal block ("|"): printable, no carriage return, not starting with a
 * space or an empty line (the block's indentation is read from its first line), and one
 * newline at the end, which the default chomping keeps. */
static int block_ok(const char *s)
{
	size_t n = strlen(s), adv;
	if (n < 2 || s[n - 1] != '\n' || s[n - 2] == '\n' || s[0] == ' ' || s[0] == '\n')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p += adv) {
		long c = utf8_at(p, &adv);
		if (c != '\n' && !printable(c))
			return 0;
	}
	return 1;
}

static void quoted(struct yout *o, const char *s)
{
	char esc[16];
	size_t adv;
	put(o, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p += adv) {
		long c = utf8_at(p, &adv);
		if (c == '"' || c == '\\') {
			put(o, "\\", 1);
			put(o, (const char *)p, 1);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			puts_(o, c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r");
		} else if (printable(c)) {
			put(o, (const char *)p, adv);
		} else {
			snprintf(esc, sizeof esc, c < 0x80 ? "\\x%02lX" : c <= 0xffff ? "\\u%04lX" : "\\U%08lX", c);
			puts_(o, esc);
		}
	}
	put(o, "\"", 1);
}

/* A string where a scalar may stand; block strings only as values (indent: their lines').
 * Returns 1 when it wrote a block, which ends its own line. */
static int string(struct yout *o, const char *s, int indent, int as_key)
{
	if (plain_ok(s)) {
		puts_(o, s);
		return 0;
	}
	if (as_key || !block_ok(s)) {
		quoted(o, s);
		return 0;
	}
	put(o, "|\n", 2);
	while (*s) {
		size_t n = strcspn(s, "\n");
		if (n)
			pad(o, indent);
		put(o, s, n);
		put(o, "\n", 1);
		s += n + 1;
	}
	return 1;
}

static void number(struct yout *o, double v)
{
	char b[40];
	if (!isfinite(v)) {
		o->bad = 1;
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(b, sizeof b, "%.0f", v);
	} else {
		snprintf(b, sizeof b, "%.17g", v);
		char *e = strchr(b, 'e');
		if (e && !strchr(b, '.')) {   /* YAML 1.1 reads a float only with its dot */
			memmove(e + 2, e, strlen(e) + 1);
			memcpy(e, ".0", 2);
		}
	}
	puts_(o, b);
}

static int is_nested(const cJSON *n)
{
	return (cJSON_IsObject(n) || cJSON_IsArray(n)) && n->child;
}

static void node_map(struct yout *o, const cJSON *m, int indent, int first_inline);
static void node_seq(struct yout *o, const cJSON *s, int indent);

/* After "key:" or "-": a scalar on the same line, or the nested collection below. */
static void value(struct yout *o, const cJSON *v, int indent, int in_seq)
{
	if (cJSON_IsString(v)) {
		if (!utf8_ok(v->valuestring)) {
			o->bad = 1;
			return;
		}
		put(o, " ", 1);
		if (!string(o, v->valuestring, indent + 2, 0))
			put(o, "\n", 1);
	} else if (is_nested(v) && cJSON_IsObject(v) && in_seq) {
		put(o, " ", 1);
		node_map(o, v, indent + 2, 1);
	} else if (is_nested(v) && cJSON_IsObject(v)) {
		put(o, "\n", 1);
		node_map(o, v, indent + 2, 0);
	} else if (is_nested(v)) {
		/* A sequence under a key sits at the key's indentation, as kubectl writes it. */
		put(o, "\n", 1);
		node_seq(o, v, in_seq ? indent + 2 : indent);
	} else {
		put(o, " ", 1);
		if (cJSON_IsNumber(v))
			number(o, v->valuedouble);
		else if (cJSON_IsBool(v))
			puts_(o, cJSON_IsTrue(v) ? "true" : "false");
		else if (cJSON_IsNull(v))
			puts_(o, "null");
		else if (cJSON_IsObject(v))
			puts_(o, "{}");
		else if (cJSON_IsArray(v))
			puts_(o, "[]");
		else
			o->bad = 1;
		put(o, "\n", 1);
	}
}

static void node_map(struct yout *o, const cJSON *m, int indent, int first_inline)
{
	for (const cJSON *c = m->child; c && !o->bad; c = c->next) {
		if (!c->string || !utf8_ok(c->string) || strlen(c->string) > 1024) {   /* an implicit key's limit */
			o->bad = 1;
			return;
		}
		if (c != m->child || !first_inline)
			pad(o, indent);
		string(o, c->string, indent, 1);
		put(o, ":", 1);
		value(o, c, indent, 0);
	}
}

static void node_seq(struct yout *o, const cJSON *s, int indent)
{
	for (const cJSON *c = s->child; c && !o->bad; c = c->next) {
		pad(o, indent);
		put(o, "-", 1);
		value(o, c, indent, 1);
	}
}

long yaml_emit(const cJSON *doc, const char *head, char *out, size_t outlen)
{
	struct yout o = {out, outlen, 0, 0};
	for (const char *h = head; h && *h;) {
		size_t n = strcspn(h, "\n");
		if (h[0] != '#' || !utf8_ok(h))
			return -1;
		put(&o, h, n);
		put(&o, "\n", 1);
		h += n + (h[n] == '\n');
	}
	if (cJSON_IsObject(doc) && doc->child)
		node_map(&o, doc, 0, 0);
	else if (cJSON_IsArray(doc) && doc->child)
		node_seq(&o, doc, 0);
	else if (cJSON_IsObject(doc) || cJSON_IsArray(doc))
		puts_(&o, cJSON_IsObject(doc) ? "{}\n" : "[]\n");
	else
		return -1;
	if (outlen)
		out[o.len < outlen ? o.len : outlen - 1] = '\0';
	return o.bad ? -1 : (long)o.len;
}
