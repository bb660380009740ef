/* core/steps/overlay_yaml.c: the small YAML subset the overlay's own files use (see
 * overlay_int.h), read into cJSON the way kustomize and PyYAML read the same text, so that
 * what the wizard applies is what `kubectl kustomize` renders from the files it wrote. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/steps/overlay_int.h"

struct yline {
	int indent;
	int lineno;
	char *text;   /* after the indent, trailing spaces removed */
};

struct yparse {
	struct yline *lines;
	size_t n, i;
	char *err;
	size_t errlen;
	int failed;
};

static void *yaml_fail(struct yparse *p, int lineno, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "line %d: %s", lineno, what);
	p->failed = 1;
	return NULL;
}

static cJSON *yaml_node(struct yparse *p, int indent);

/* A double- or single-quoted scalar; *end gets the character after the closing quote. */
static cJSON *yaml_quoted(struct yparse *p, int lineno, const char *s, const char **end)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), q = *s;
	size_t o = 0;
	const char *c = s + 1;
	if (!out)
		return yaml_fail(p, lineno, "out of memory");
	for (; *c; c++) {
		if (q == '\'' && c[0] == '\'' && c[1] == '\'') {
			out[o++] = '\'';
			c++;
		} else if (*c == q) {
			break;
		} else if (q == '"' && *c == '\\') {
			c++;
			if (*c == 'n')
				out[o++] = '\n';
			else if (*c == 't')
				out[o++] = '\t';
			else if (*c == '\\' || *c == '"' || *c == '/')
				out[o++] = *c;
			else {
				free(out);
				return yaml_fail(p, lineno, "unsupported escape in a double-quoted scalar");
			}
		} else {
			out[o++] = *c;
		}
	}
	if (*c != q) {
		free(out);
		return yaml_fail(p, lineno, "unterminated quoted scalar");
	}
	out[o] = 0;
	*end = c + 1;
	cJSON *v = cJSON_CreateString(out);
	free(out);
	return v;
}

/* Plain scalars are typed as YAML's core schema types them: booleans, integers, null. */
static cJSON *yaml_scalar(struct yparse *p, int lineno, const char *s)
{
	if (*s == '"' || *s == '\'') {
		const char *end;
		cJSON *v = yaml_quoted(p, lineno, s, &end);
		if (v && *end) {
			cJSON_Delete(v);
			return yaml_fail(p, lineno, "text after a quoted scalar");
		}
		return v;
	}
	if (strcmp(s, "{}") == 0)
		return cJSON_CreateObject();
	if (strcmp(s, "[]") == 0)
		return cJSON_CreateArray();
	if (strchr("{[&*!|>%@`", *s))
		return yaml_fail(p, lineno, "flow collections, anchors, tags and block scalars are not used here");
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return cJSON_CreateBool(*s == 't');
	if (strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
		return cJSON_CreateNull();
	const char *d = s + (*s == '-');
	if (*d && strspn(d, "0123456789") == strlen(d) && strlen(d) < 15 && (d[0] != '0' || !d[1]))
		return cJSON_CreateNumber((double)atoll(s));
	if (strstr(s, " #"))
		return yaml_fail(p, lineno, "comments after a value are not used here");
	return cJSON_CreateString(s);
}

/* Where "key:" ends in a line, or NULL when the line is not a mapping entry. */
static char *yaml_key_end(char *s)
{
	if (*s == '"' || *s == '\'' || *s == '-' || *s == '#')
		return NULL;
	for (char *c = s; *c; c++) {
		if (*c == ':' && (c[1] == ' ' || c[1] == 0))
			return c;
		if (*c == ' ' && c[1] == '#')
			return NULL;
	}
	return NULL;
}

static int yaml_is_item(const struct yline *l)
{
	return l->text[0] == '-' && (l->text[1] == ' ' || l->text[1] == 0);
}

/* The value after "key:" with nothing on the line: a nested block or a sequence at the same indent. */
static cJSON *yaml_block_value(struct yparse *p, int indent)
{
	if (p->i < p->n) {
		struct yline *next = &p->lines[p->i];
		if (next->indent > indent)
			return yaml_node(p, next->indent);
		if (next->indent == indent && yaml_is_item(next))
			return yaml_node(p, indent);
	}
	return cJSON_CreateNull();
}

static cJSON *yaml_map(struct yparse *p, int indent)
{
	cJSON *m = cJSON_CreateObject();
	while (m && !p->failed && p->i < p->n && p->lines[p->i].indent == indent && !yaml_is_item(&p->lines[p->i])) {
		struct yline *l = &p->lines[p->i];
		char *ke = yaml_key_end(l->text);
		if (!ke) {
			cJSON_Delete(m);
			return yaml_fail(p, l->lineno, "expected 'key: value'");
		}
		*ke = 0;
		const char *key = l->text, *rest = ke + 1;
		while (*rest == ' ')
			rest++;
		if (cJSON_GetObjectItemCaseSensitive(m, key)) {
			cJSON_Delete(m);
			return yaml_fail(p, l->lineno, "duplicate key");
		}
		p->i++;
		cJSON *v = *rest ? yaml_scalar(p, l->lineno, rest) : yaml_block_value(p, indent);
		if (!v || !cJSON_AddItemToObject(m, key, v)) {
			cJSON_Delete(v);
			cJSON_Delete(m);
			return yaml_fail(p, l->lineno, "cannot read the value");
		}
	}
	return m;
}

static cJSON *yaml_seq(struct yparse *p, int indent)
{
	cJSON *s = cJSON_CreateArray();
	while (s && !p->failed && p->i < p->n && p->lines[p->i].indent == indent && yaml_is_item(&p->lines[p->i])) {
		struct yline *l = &p->lines[p->i];
		char *rest = l->text + 1;
		int sub = indent + 1;
		while (*rest == ' ') {
			rest++;
			sub++;
		}
		cJSON *v;
		if (!*rest) {
			p->i++;
			v = yaml_block_value(p, indent);
		} else if (yaml_key_end(rest)) {
			/* "- key: value": a mapping whose later keys sit under the first one. */
			l->indent = sub;
			l->text = rest;
			v = yaml_map(p, sub);
		} else {
			p->i++;
			v = yaml_scalar(p, l->lineno, rest);
		}
		if (!v) {
			cJSON_Delete(s);
			return yaml_fail(p, l->lineno, "cannot read the item");
		}
		cJSON_AddItemToArray(s, v);
	}
	return s;
}

static cJSON *yaml_node(struct yparse *p, int indent)
{
	if (p->i >= p->n)
		return cJSON_CreateNull();
	return yaml_is_item(&p->lines[p->i]) ? yaml_seq(p, indent) : yaml_map(p, indent);
}

/* Reads the lines gathered so far as one document into docs. 0 or -1. */
static int yaml_flush(struct yparse *p, cJSON *docs)
{
	if (!p->n)
		return 0;
	p->i = 0;
	if (p->lines[0].indent != 0) {
		snprintf(p->err, p->errlen, "line %d: a document starts at column 1", p->lines[0].lineno);
		return -1;
	}
	cJSON *d = yaml_node(p, 0);
	if (!d)
		return -1;
	cJSON_AddItemToArray(docs, d);
	if (p->i < p->n) {
		snprintf(p->err, p->errlen, "line %d: unexpected indentation", p->lines[p->i].lineno);
		return -1;
	}
	p->n = 0;
	return 0;
}

cJSON *overlay_yaml_parse(const char *text, char *err, size_t errlen)
{
	char *copy = strdup(text);
	size_t cap = 64;
	struct yparse p = {.lines = malloc(cap * sizeof *p.lines), .err = err, .errlen = errlen};
	cJSON *docs = cJSON_CreateArray();
	if (!copy || !p.lines || !docs) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	int lineno = 0;
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		size_t len = strlen(line);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
			line[--len] = 0;
		int ind = (int)strspn(line, " ");
		if (strchr(line, '\t')) {
			snprintf(err, errlen, "line %d: a tab (YAML indents with spaces)", lineno);
			goto fail;
		}
		if (strcmp(line, "---") == 0) {
			if (yaml_flush(&p, docs) != 0)
				goto fail;
			continue;
		}
		if (!line[ind] || line[ind] == '#')
			continue;
		if (p.n == cap) {
			struct yline *bigger = realloc(p.lines, (cap *= 2) * sizeof *p.lines);
			if (!bigger) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			p.lines = bigger;
		}
		p.lines[p.n++] = (struct yline){ind, lineno, line + ind};
	}
	if (yaml_flush(&p, docs) != 0)
		goto fail;
	free(p.lines);
	free(copy);
	return docs;
fail:
	free(p.lines);
	free(copy);
	cJSON_Delete(docs);
	return NULL;
}

int overlay_yaml_quote(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen < 3)
		return -1;
	out[o++] = '"';
	for (const unsigned char *s = (const unsigned char *)in; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			return -1;
		if (o + 4 >= outlen)
			return -1;
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = (char)*s;
	}
	out[o++] = '"';
	out[o] = 0;
	return 0;
}
