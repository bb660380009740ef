/* core/model/runner.h: which GPUs each studio-go-runner release gives work to
 * (internal/cuda/devices.go across the tags of leaf-ai/studio-go-runner; doc/runner.md).
 * A GPU the runner does not recognise gets no slots, and the runner then refuses to start
 * unless CPU_ONLY=true: a GPU pool it cannot use idles at full price. */
#ifndef SW_RUNNER_H
#define SW_RUNNER_H

#include <stddef.h>

/* The last release tag line the facts cover; code after commit 15a450f3 (2024-06-26, no
 * release) deleted Linux GPU detection, so nothing newer is trusted with a GPU. */
#define RUNNER_LAST_KNOWN "0.14.3"
#define RUNNER_IMAGE_DEFAULT "leafai/azure-studio-go-runner:0.14.2"

struct runner_version {
	int major, minor, patch;
};

/* The release an image reference's tag names ("repo:0.14.2", "repo:0.14.3-main-aaaag...",
 * "repo:v0.9.21"): 0, or -1 when the tag names no release (latest, a digest, no tag).
 * tag (may be NULL) receives the tag text, "" when there is none. */
int runner_version_of(const char *image, struct runner_version *out, char *tag, size_t taglen);
/* The first release that gives gpu_model slots ("0.13.2"), or NULL when none does. */
const char *runner_gpu_since(const char *gpu_model);
/* 1 when the runner in image gives gpu_model slots; else 0 with why, e.g. "runner 0.9.21
 * does not recognise A100-SXM4-40GB; it does from 0.13.2". */
int runner_can_use(const char *image, const char *gpu_model, char *why, size_t whylen);

/* The runner sizes itself from the host, not its cgroup (internal/cpu_resource/cpu.go at
 * 0.14.2): each pod gets its share of the node as MAX_CORES, MAX_MEM and MAX_DISK and as
 * matching requests and limits. Sizes and reserves: doc/runner-sizing.md. */
struct runner_share {
	int cpu_milli;           /* request = limit */
	int max_cores;           /* MAX_CORES: whole cores, at least 1 */
	long mem_mib;            /* request = limit */
	long max_mem_mib;        /* MAX_MEM: the limit less the runner's own 1 GiB */
	long disk_gib;           /* /tmp emptyDir sizeLimit */
	long max_disk_gib;       /* MAX_DISK: 85 % of it, the runner's own default ratio */
};
/* pods_per_node pods of the runner on a node of vm_size: 0; -1 with why when the size is not
 * in the catalogue; -2 with why when a share would be smaller than the runner can use. */
int runner_share(const char *vm_size, int pods_per_node, struct runner_share *out, char *why, size_t whylen);

#endif
