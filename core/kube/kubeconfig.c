/* core/kube/kubeconfig.c: a YAML subset parser for AKS kubeconfigs (see kubeconfig.h).
 * The text is copied into secmem and cut into lines in place; nodes point into it. */
#include "core/kube/kubeconfig.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/text.h"
#include "secrets/secmem.h"

#define KC_MAX_LINES 4096
#define KC_MAX_DEPTH 16

enum ytype { Y_STR, Y_MAP, Y_LIST };

struct ynode {
	enum ytype t;
	const char *key;     /* in a map */
	const char *val;     /* Y_STR */
	int line;
	struct ynode *child; /* first entry of a map or list */
	struct ynode *next;
};

struct yline {
	int indent;
	char *text;
	int no;
};

struct yparser {
	struct yline *lines;
	int n, i;
	char *err;
	size_t errlen;
	int failed;
};

static void kc_fail(struct yparser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void kc_fail(struct yparser *p, int line, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = 1;
	int off = snprintf(p->err, p->errlen, "kubeconfig line %d: ", line);
	if (off < 0 || (size_t)off >= p->errlen)
		return;
	/* Messages quote the document's keys and names: made safe for a terminal or log. */
	char raw[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	text_safe(raw, p->err + off, p->errlen - (size_t)off);
}

static struct ynode *kc_node(enum ytype t, int line)
{
	struct ynode *n = calloc(1, sizeof *n);
	if (n) {
		n->t = t;
		n->line = line;
	}
	return n;
}

static void kc_free_tree(struct ynode *n)
{
	while (n) {
		struct ynode *next = n->next;
		kc_free_tree(n->child);
		free(n);
		n = next;
	}
}

/* A one-line scalar, unquoted in place. NULL (and a failure) when it is a YAML feature we refuse. */
static const char *kc_scalar(struct yparser *p, char *s, int line)
{
	size_t n = strlen(s);
	if (s[0] == '"' || s[0] == '\'') {
		char q = s[0];
		char *o = s, *r = s + 1;
		for (; *r && *r != q; r++) {
			if (q == '"' && *r == '\\') {
				if (r[1] != '"' && r[1] != '\\') {
					kc_fail(p, line, "escape sequences other than \\\" and \\\\ are not supported");
					return NULL;
				}
				r++;
			}
			*o++ = *r;
		}
		if (*r != q) {
			kc_fail(p, line, "unterminated quoted value");
			return NULL;
		}
		char *rest = r + 1;
		while (*rest == ' ')
			rest++;
		if (*rest && *rest != '#') {
			kc_fail(p, line, "text after a quoted value");
			return NULL;
		}
		*o = 0;
		return s;
	}
	/* A comment starts at " #". */
	for (size_t i = 1; i < n; i++)
		if (s[i] == '#' && s[i - 1] == ' ') {
			s[i] = 0;
			n = i;
			break;
		}
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = 0;
	if (strcmp(s, "{}") == 0 || strcmp(s, "[]") == 0 || strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
		return "";
	if (strchr("&*!|>{[%@`", s[0])) {
		kc_fail(p, line, "'%c' (anchors, aliases, tags, block or flow collections) is not supported", s[0]);
		return NULL;
	}
	return s;
}

static struct ynode *kc_parse_node(struct yparser *p, int indent, int depth);

/* "key: value" or "key:" at line p->i; the line's text is cut in place. */
static struct ynode *kc_parse_map(struct yparser *p, int indent, int depth)
{
	struct ynode *map = kc_node(Y_MAP, p->lines[p->i].no), **tail = map ? &map->child : NULL;
	if (!map)
		return NULL;
	while (!p->failed && p->i < p->n && p->lines[p->i].indent == indent) {
		struct yline *l = &p->lines[p->i];
		if (strncmp(l->text, "- ", 2) == 0 || strcmp(l->text, "-") == 0)
			break;
		char *colon = strstr(l->text, ": ");
		size_t tl = strlen(l->text);
		if (!colon && tl > 0 && l->text[tl - 1] == ':')
			colon = l->text + tl - 1;
		if (!colon || l->text[0] == '"' || l->text[0] == '\'' || l->text[0] == '?') {
			kc_fail(p, l->no, "expected 'key: value'");
			break;
		}
		*colon = 0;
		char *v = colon + 1;
		while (*v == ' ')
			v++;
		struct ynode *e;
		p->i++;
		if (*v && *v != '#') {
			e = kc_node(Y_STR, l->no);
			if (e)
				e->val = kc_scalar(p, v, l->no);
		} else if (p->i < p->n && (p->lines[p->i].indent > indent ||
		                           (p->lines[p->i].indent == indent && p->lines[p->i].text[0] == '-'))) {
			e = kc_parse_node(p, p->lines[p->i].indent, depth + 1);
		} else {
			e = kc_node(Y_STR, l->no);
			if (e)
				e->val = "";
		}
		if (!e) {
			kc_fail(p, l->no, "out of memory");
			break;
		}
		e->key = l->text;
		e->line = l->no;
		*tail = e;
		tail = &e->next;
	}
	return map;
}

static struct ynode *kc_parse_list(struct yparser *p, int indent, int depth)
{
	struct ynode *list = kc_node(Y_LIST, p->lines[p->i].no), **tail = list ? &list->child : NULL;
	if (!list)
		return NULL;
	while (!p->failed && p->i < p->n && p->lines[p->i].indent == indent &&
	       (strncmp(p->lines[p->i].text, "- ", 2) == 0 || strcmp(p->lines[p->i].text, "-") == 0)) {
		struct yline *l = &p->lines[p->i];
		char *rest = l->text + 1;
		int off = 1;
		while (*rest == ' ') {
			rest++;
			off++;
		}
		struct ynode *e;
		if (!*rest) {
			p->i++;
			if (p->i < p->n && p->lines[p->i].indent > indent)
				e = kc_parse_node(p, p->lines[p->i].indent, depth + 1);
			else
				e = kc_node(Y_STR, l->no);
		} else if (strstr(rest, ": ") || rest[strlen(rest) - 1] == ':') {
			/* "- key: value": a map whose keys line up with this first one. */
			l->indent = indent + off;
			l->text = rest;
			e = kc_parse_map(p, indent + off, depth + 1);
		} else {
			p->i++;
			e = kc_node(Y_STR, l->no);
			if (e)
				e->val = kc_scalar(p, rest, l->no);
		}
		if (!e) {
			kc_fail(p, l->no, "out of memory");
			break;
		}
		*tail = e;
		tail = &e->next;
	}
	return list;
}

static struct ynode *kc_parse_node(struct yparser *p, int indent, int depth)
{
	if (depth > KC_MAX_DEPTH) {
		kc_fail(p, p->lines[p->i].no, "nested too deeply");
		return NULL;
	}
	const char *t = p->lines[p->i].text;
	if (strncmp(t, "- ", 2) == 0 || strcmp(t, "-") == 0)
		return kc_parse_list(p, indent, depth);
	return kc_parse_map(p, indent, depth);
}

/* Lookups and checks ---------------------------------------------------------- */

static const struct ynode *kc_get(const struct ynode *map, const char *key)
{
	if (!map || map->t != Y_MAP)
		return NULL;
	for (const struct ynode *e = map->child; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static const char *kc_str(const struct ynode *map, const char *key)
{
	const struct ynode *e = kc_get(map, key);
	return e && e->t == Y_STR && e->val ? e->val : NULL;
}

/* Refuses keys of map that are not in allowed (NULL-terminated), naming where. */
static int kc_only(struct yparser *p, const struct ynode *map, const char *where, const char *const *allowed)
{
	if (!map || map->t != Y_MAP) {
		kc_fail(p, map ? map->line : 0, "%s must be a mapping", where);
		return -1;
	}
	for (const struct ynode *e = map->child; e; e = e->next) {
		int ok = 0;
		for (size_t i = 0; allowed[i]; i++)
			ok |= strcmp(e->key, allowed[i]) == 0;
		if (!ok) {
			kc_fail(p, e->line, "%s.%.60s is not supported (only the client-certificate kubeconfig that AKS's listClusterUserCredential returns)",
			        where, e->key);
			return -1;
		}
	}
	return 0;
}

/* The entry of list key whose name is name, checking every entry's keys. */
static const struct ynode *kc_find(struct yparser *p, const struct ynode *root, const char *list, const char *inner,
                                   const char *name, const char *const *allowed)
{
	const struct ynode *l = kc_get(root, list);
	const struct ynode *found = NULL;
	static const char *const item_keys[] = {"name", "cluster", "context", "user", NULL};
	if (!l || l->t != Y_LIST) {
		kc_fail(p, l ? l->line : 1, "'%s' must be a list", list);
		return NULL;
	}
	for (const struct ynode *it = l->child; it; it = it->next) {
		if (kc_only(p, it, list, item_keys) != 0)
			return NULL;
		const struct ynode *in = kc_get(it, inner);
		if (!in || kc_only(p, in, inner, allowed) != 0) {
			kc_fail(p, it->line, "%s entry without '%s'", list, inner);
			return NULL;
		}
		const char *n = kc_str(it, "name");
		if (n && strcmp(n, name) == 0)
			found = in;
	}
	if (!found)
		kc_fail(p, l->line, "no %s named '%.100s'", inner, name);
	return found;
}

static char *kc_b64(struct yparser *p, const struct ynode *map, const char *key, size_t *len, const char *pem_tag)
{
	const struct ynode *e = kc_get(map, key);
	if (!e || e->t != Y_STR || !e->val || !*e->val) {
		kc_fail(p, map->line, "'%s' is missing (certificates and keys must be inline, as AKS gives them)", key);
		return NULL;
	}
	size_t in = strlen(e->val), cap = in / 4 * 3 + 4, out = 0;
	char *buf = secmem_alloc(cap + 1);
	if (!buf) {
		kc_fail(p, e->line, "out of memory");
		return NULL;
	}
	if (sodium_base642bin((unsigned char *)buf, cap, e->val, in, NULL, &out, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		secmem_free(buf);
		kc_fail(p, e->line, "'%s' is not valid base64", key);
		return NULL;
	}
	buf[out] = 0;
	if (!secmem_find(buf, out, pem_tag, strlen(pem_tag))) {
		secmem_free(buf);
		kc_fail(p, e->line, "'%s' does not hold a PEM %s", key, pem_tag);
		return NULL;
	}
	*len = out;
	return buf;
}

static int kc_split_lines(struct yparser *p, char *buf)
{
	char *s = buf;
	int no = 0;
	while (*s) {
		char *e = strchr(s, '\n');
		if (e)
			*e = 0;
		no++;
		size_t n = strlen(s);
		if (n && s[n - 1] == '\r')
			s[--n] = 0;
		int ind = 0;
		while (s[ind] == ' ')
			ind++;
		if (s[ind] == '\t') {
			kc_fail(p, no, "tabs are not allowed for indentation");
			return -1;
		}
		if (s[ind] && s[ind] != '#') {
			if (ind == 0 && (strcmp(s, "---") == 0 || strcmp(s, "...") == 0)) {
				if (p->n > 0) {
					kc_fail(p, no, "more than one YAML document");
					return -1;
				}
			} else if (p->n == KC_MAX_LINES) {
				kc_fail(p, no, "too many lines");
				return -1;
			} else {
				p->lines[p->n++] = (struct yline){ind, s + ind, no};
			}
		}
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

int kubeconfig_parse(const char *text, size_t len, struct kubeconfig *out, char *err, size_t errlen)
{
	static const char *const root_keys[] = {"apiVersion", "kind", "preferences", "current-context", "clusters",
	                                        "contexts", "users", NULL};
	static const char *const cluster_keys[] = {"server", "certificate-authority-data", NULL};
	static const char *const context_keys[] = {"cluster", "user", "namespace", NULL};
	static const char *const user_keys[] = {"client-certificate-data", "client-key-data", "token", NULL};
	memset(out, 0, sizeof *out);
	while (len > 0 && text[len - 1] == 0)
		len--;
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "kubeconfig: holds NUL bytes");
		return -1;
	}
	char *buf = secmem_alloc(len + 1);
	struct yparser p = {calloc(KC_MAX_LINES, sizeof(struct yline)), 0, 0, err, errlen, 0};
	struct ynode *root = NULL;
	if (!buf || !p.lines) {
		snprintf(err, errlen, "kubeconfig: out of memory");
		goto fail;
	}
	memcpy(buf, text, len);
	buf[len] = 0;
	if (kc_split_lines(&p, buf) != 0)
		goto fail;
	if (p.n == 0) {
		snprintf(err, errlen, "kubeconfig: empty");
		goto fail;
	}
	if (p.lines[0].indent != 0) {
		kc_fail(&p, p.lines[0].no, "the document must start at column 1");
		goto fail;
	}
	root = kc_parse_node(&p, 0, 0);
	if (p.failed)
		goto fail;
	if (p.i < p.n) {
		kc_fail(&p, p.lines[p.i].no, "unexpected indentation");
		goto fail;
	}
	if (kc_only(&p, root, "kubeconfig", root_keys) != 0)
		goto fail;
	const char *kind = kc_str(root, "kind"), *api = kc_str(root, "apiVersion"), *cur = kc_str(root, "current-context");
	if ((kind && strcmp(kind, "Config") != 0) || (api && strcmp(api, "v1") != 0)) {
		kc_fail(&p, 1, "not a kubeconfig (want apiVersion v1, kind Config)");
		goto fail;
	}
	if (!cur || !*cur) {
		kc_fail(&p, 1, "'current-context' is missing");
		goto fail;
	}
	const struct ynode *ctx = kc_find(&p, root, "contexts", "context", cur, context_keys);
	if (!ctx)
		goto fail;
	const char *cname = kc_str(ctx, "cluster"), *uname = kc_str(ctx, "user"), *ns = kc_str(ctx, "namespace");
	if (!cname || !uname) {
		kc_fail(&p, ctx->line, "context '%.100s' needs 'cluster' and 'user'", cur);
		goto fail;
	}
	const struct ynode *cl = kc_find(&p, root, "clusters", "cluster", cname, cluster_keys);
	const struct ynode *us = cl ? kc_find(&p, root, "users", "user", uname, user_keys) : NULL;
	if (!us)
		goto fail;
	const char *server = kc_str(cl, "server");
	if (!server || strncmp(server, "https://", 8) != 0 || strlen(server) >= sizeof out->server) {
		kc_fail(&p, cl->line, "cluster '%.100s' needs an https:// 'server'", cname);
		goto fail;
	}
	snprintf(out->server, sizeof out->server, "%s", server);
	size_t sl = strlen(out->server);
	while (sl > 8 && out->server[sl - 1] == '/')
		out->server[--sl] = 0;
	snprintf(out->context, sizeof out->context, "%s", cur);
	snprintf(out->nspace, sizeof out->nspace, "%s", ns ? ns : "");
	if (!(out->ca = kc_b64(&p, cl, "certificate-authority-data", &out->ca_len, "-----BEGIN CERTIFICATE-----")) ||
	    !(out->cert = kc_b64(&p, us, "client-certificate-data", &out->cert_len, "-----BEGIN CERTIFICATE-----")) ||
	    !(out->key = kc_b64(&p, us, "client-key-data", &out->key_len, "PRIVATE KEY-----")))
		goto fail;
	kc_free_tree(root);
	free(p.lines);
	secmem_free(buf);
	return 0;
fail:
	kc_free_tree(root);
	free(p.lines);
	secmem_free(buf);
	kubeconfig_clear(out);
	return -1;
}

void kubeconfig_clear(struct kubeconfig *kc)
{
	secmem_free(kc->ca);
	secmem_free(kc->cert);
	secmem_free(kc->key);
	kc->ca = kc->cert = kc->key = NULL;
	kc->ca_len = kc->cert_len = kc->key_len = 0;
}
