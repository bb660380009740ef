/* The runner's GPU whitelist by release (doc/runner.md, "GPUs each runner release recognises"):
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

/* ---- the runner's share of a node (doc/runner-sizing.md) ---- */

/* The sizes the runner's pool can have: the GPU size a released runner can use and the CPU
 * pool's choices. vCPUs, memory and temp disk from Azure's size pages (doc/runner-sizing.md). */
static const struct {
	const char *size;
	int vcpus, mem_gib, temp_gib;
} nodes[] = {
	{"Standard_ND96asr_v4", 96, 900, 6000},
	{"Standard_A2_v2", 2, 4, 20},  {"Standard_A4_v2", 4, 8, 40},   {"Standard_B2s", 2, 4, 8},
	{"Standard_B2ms", 2, 8, 16},   {"Standard_D2s_v3", 2, 8, 16},  {"Standard_D4s_v3", 4, 16, 32},
	{"Standard_D2s_v5", 2, 8, 0},  {"Standard_D4s_v5", 4, 16, 0},  {"Standard_DS12_v2", 4, 28, 56},
};

#define DAEMONS_MILLI 500        /* the node's DaemonSets (CNI, CSI, kube-proxy, device plugin) */
#define DAEMONS_MIB 1024
#define RUNNER_OWN_MIB 1024      /* the runner process itself, outside MAX_MEM */
#define MAX_PODS 250             /* AKS's highest default max pods: the largest memory reserve */
#define IMAGES_GIB 30            /* the OS and the images (the runner's is CUDA + TensorFlow) */

/* AKS kube-reserved CPU by cores (the docs' table up to 64, then its last slope, 10m a core);
 * between two rows the larger one. */
static int reserved_milli(int cores)
{
	static const int at[][2] = {{1, 60}, {2, 100}, {4, 140}, {8, 180}, {16, 260}, {32, 420}, {64, 740}};
	for (size_t i = 0; i < sizeof at / sizeof *at; i++)
		if (cores <= at[i][0])
			return at[i][1];
	return 740 + 10 * (cores - 64);
}

/* The disk the kubelet keeps emptyDir volumes on: an ephemeral OS disk as large as the temp
 * disk when that is 128 GiB or more, else a managed OS disk sized by vCPUs (AKS defaults). */
static long kubelet_disk_gib(int vcpus, int temp_gib)
{
	if (temp_gib >= 128)
		return temp_gib;
	return vcpus < 8 ? 128 : vcpus < 16 ? 256 : vcpus < 64 ? 512 : 1024;
}

int runner_share(const char *vm_size, int pods, struct runner_share *out, char *why, size_t whylen)
{
	size_t i = 0;
	while (i < sizeof nodes / sizeof *nodes && strcmp(nodes[i].size, vm_size) != 0)
		i++;
	if (i == sizeof nodes / sizeof *nodes) {
		snprintf(why, whylen, "%s is not a size the wizard knows the cores, memory and disk of", vm_size);
		return -1;
	}
	if (pods < 1) {
		snprintf(why, whylen, "no runner pods on a node");
		return -1;
	}
	long mem_mib = (long)nodes[i].mem_gib * 1024;
	/* kube-reserved memory: the lesser of 20 MB x max pods + 50 MB and 25 %, plus the 100 Mi
	 * eviction threshold (AKS 1.29 and later). */
	long kube_mib = (20L * 1000 * 1000 * MAX_PODS + 50L * 1000 * 1000) / (1024 * 1024);
	if (kube_mib > mem_mib / 4)
		kube_mib = mem_mib / 4;
	long cpu = ((long)nodes[i].vcpus * 1000 - reserved_milli(nodes[i].vcpus) - DAEMONS_MILLI) / pods;
	long mem = (mem_mib - kube_mib - 100 - DAEMONS_MIB) / pods;
	/* nodefs.available<10 % is the kubelet's eviction threshold on AKS. */
	long disk = (kubelet_disk_gib(nodes[i].vcpus, nodes[i].temp_gib) * 9 / 10 - IMAGES_GIB) / pods;
	if (cpu < 500 || mem < 2 * RUNNER_OWN_MIB || disk < 10) {
		snprintf(why, whylen, "%s shared by %d runner pods leaves each %ldm CPU, %ld MiB, %ld GiB of disk: too "
		         "little for the runner", vm_size, pods, cpu, mem, disk);
		return -2;
	}
	*out = (struct runner_share){(int)cpu, cpu >= 1000 ? (int)(cpu / 1000) : 1, mem, mem - RUNNER_OWN_MIB, disk,
	                             disk * 85 / 100};
	return 0;
}
