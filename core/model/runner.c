/* The runner's GPU whitelist by release (runner-facts §7):
 *   up to 0.9.22: GTX 1050-1080, TITAN X, K80, P40, P100
 *   0.9.23 on:    adds V100
 *   0.13.2 on:    adds A100-SXM4-40GB and RTX 2080 Ti
 *   after 15a450f3 (no release): no GPU at all. */
#include "core/model/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *needle;    /* a substring of the GPU's model name */
	const char *since;
} gpus[] = {
	{"GTX 1050", "0.0.0"}, {"GTX 1060", "0.0.0"}, {"GTX 1070", "0.0.0"}, {"GTX 1080", "0.0.0"},
	{"TITAN X", "0.0.0"},  {"K80", "0.0.0"},      {"P40", "0.0.0"},      {"P100", "0.0.0"},
	{"V100", "0.9.23"},    {"A100-SXM4-40GB", "0.13.2"}, {"RTX 2080 Ti", "0.13.2"},
};

static int runner_parse(const char *s, struct runner_version *v)
{
	char *end;
	if (*s == 'v')
		s++;
	long n[3];
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		n[i] = strtol(s, &end, 10);
		if (n[i] > 100000)
			return -1;
		s = end;
		if (i < 2 && *s++ != '.')
			return -1;
	}
	if (*s && *s != '-' && *s != '+')
		return -1;
	*v = (struct runner_version){(int)n[0], (int)n[1], (int)n[2]};
	return 0;
}

static int runner_cmp(const struct runner_version *a, const struct runner_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return a->patch < b->patch ? -1 : a->patch > b->patch;
}

int runner_version_of(const char *image, struct runner_version *out, char *tag, size_t taglen)
{
	const char *slash = strrchr(image, '/');
	const char *last = slash ? slash + 1 : image;
	const char *colon = strchr(last, ':');
	const char *at = strchr(last, '@');
	size_t n = 0;
	const char *t = "";
	if (colon && (!at || colon < at)) {
		t = colon + 1;
		n = at ? (size_t)(at - t) : strlen(t);
	}
	char buf[160];
	snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), t);
	if (tag && taglen)
		snprintf(tag, taglen, "%s", buf);
	return *buf ? runner_parse(buf, out) : -1;
}

const char *runner_gpu_since(const char *gpu_model)
{
	for (size_t i = 0; i < sizeof gpus / sizeof *gpus; i++)
		if (strstr(gpu_model, gpus[i].needle))
			return gpus[i].since;
	return NULL;
}

int runner_can_use(const char *image, const char *gpu_model, char *why, size_t whylen)
{
	struct runner_version v, since, last;
	char tag[160];
	const char *s = runner_gpu_since(gpu_model);
	int known = runner_version_of(image, &v, tag, sizeof tag) == 0;
	runner_parse(RUNNER_LAST_KNOWN, &last);
	if (!known) {
		snprintf(why, whylen, "cannot tell which runner release %s holds (%s%s), so not which GPUs it "
		         "recognises; name a release tag such as 0.14.2", image, *tag ? "tag " : "no tag", tag);
		return 0;
	}
	if (runner_cmp(&v, &last) > 0) {
		snprintf(why, whylen, "runner %s is newer than the last release known (%s): the code after commit "
		         "15a450f3 (2024-06-26) finds no GPU at all", tag, RUNNER_LAST_KNOWN);
		return 0;
	}
	if (!s) {
		snprintf(why, whylen, "runner %s does not recognise %s; no runner release does", tag, gpu_model);
		return 0;
	}
	runner_parse(s, &since);
	if (runner_cmp(&v, &since) < 0) {
		snprintf(why, whylen, "runner %s does not recognise %s; it does from %s", tag, gpu_model, s);
		return 0;
	}
	return 1;
}
