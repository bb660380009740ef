/* core/steps/overlay_int.h: what the overlay step's files share (overlay*.c, the tests). */
#ifndef SW_OVERLAY_INT_H
#define SW_OVERLAY_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/model/plan.h"
#include "core/model/runner.h"

/* Images and names the overlay uses (doc/runner.md). */
#define PLAN_DEVICE_PLUGIN_IMAGE "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
#define PLAN_DEVICE_PLUGIN_NAMESPACE "gpu-resources"
#define PLAN_RUNNER_BASE_IMAGE "studioml/studio-go-runner"

#define OVERLAY_DEPLOYMENT "studioml-go-runner-deployment"
#define OVERLAY_NFILES_MAX 10
#define OVERLAY_DOCS_MAX 12

/* What the overlay is made from (answers and earlier steps' outputs). */
struct overlay_in {
	char ns[64];
	char queue_match[256];
	int clear_text;
	char amqp_url[600];      /* amqp://${RMQ_USER}:${RMQ_PASS}@HOST:PORT/ */
	char image_name[512];    /* the ACR repository */
	char image_tag[128];     /* or "" */
	char image_digest[160];  /* sha256:..., or "" */
	int replicas;
	int cpu_mode;
	char state[32];          /* STATE of the ConfigMap the runner watches */
	struct runner_share share;   /* each pod's part of its node */
};

/* The runner's binary, started directly: the image's run.sh prints the environment, the
 * AMQP password included (cmd/runner/run.sh at 0.14.2; it picks the -cpu build on a node
 * without GPUs). LD_LIBRARY_PATH as run.sh leaves it: the nvidia/cuda 10.1 base image's
 * value plus what run.sh appends. */
#define OVERLAY_RUNNER_BIN "/runner/runner-linux-amd64"
#define OVERLAY_RUNNER_BIN_CPU "/runner/runner-linux-amd64-cpu"
#define OVERLAY_LD_LIBRARY_PATH "/usr/local/nvidia/lib:/usr/local/nvidia/lib64:/usr/local/cuda/lib64"
/* The ConfigMap the runner watches for STATE (K8S_CONFIGMAP's default, cmd/runner/main.go). */
#define OVERLAY_STATE_CONFIGMAP "studioml-go-runner"

/* overlay_objects.c: the non-Secret objects in apply order, each with the file it is kept in
 * (relative to the overlay directory) and the comment above it there. */
struct overlay_doc {
	const char *file;
	const char *comment;     /* "# ..." lines, or NULL */
	cJSON *obj;
};
struct overlay_set {
	struct overlay_doc d[OVERLAY_DOCS_MAX];
	size_t n;
};
/* 0, or -1 with err (out of memory). */
int overlay_set_build(const struct overlay_in *in, struct overlay_set *s, char *err, size_t errlen);
void overlay_set_free(struct overlay_set *s);
/* Splits "host/repo:tag" or "host/repo@sha256:..." into in's image fields. 0 or -1. */
int overlay_image_split(const char *ref, struct overlay_in *in);

/* overlay_build.c: the files the operator keeps: s's objects as YAML, and the
 * kustomization.yaml files that list them. 0, or -1 with err. */
struct overlay_file {
	char path[64];           /* relative to the overlay directory */
	char *text;
};
struct overlay_files {
	struct overlay_file f[OVERLAY_NFILES_MAX];
	size_t n;
};
int overlay_files_build(const struct overlay_set *s, struct overlay_files *out, char *err, size_t errlen);
void overlay_files_free(struct overlay_files *f);

/* overlay_files.c: the directory (mode 0755, files 0644 written atomically) with checksums.
 * sums (in/out): "path=sha256hex;..." of what the wizard wrote last. A file changed since
 * then (or present and never written by the wizard) is left alone and named in kept. */
int overlay_dir_write(const char *dir, const struct overlay_files *files, const char *sums_in, char *sums_out,
                      size_t sums_len, char *kept, size_t keptlen, char *err, size_t errlen);

/* overlay.c: every string in o wiped (a Secret's data once it is sent). */
void overlay_wipe_json(cJSON *o);
/* overlay_proof.c: the task overlay.proof (the runner's path from inside the cluster). */
struct act;
#define OVERLAY_PROOF_DATA_SIZE 4096   /* act_data() size; checked in overlay_proof.c */
void overlay_proof_start(struct act *a);
void overlay_proof_stop(struct act *a);

#endif
