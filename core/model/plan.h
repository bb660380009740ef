/* core/model/plan.h: the install as data. The TUI, headless commands, `plan` and `status`
 * all read this one table: steps, their questions (key, label, default, validator,
 * help, choices), what each step produces (Azure resources, vault entries) and the
 * steps it depends on. */
#ifndef SW_PLAN_H
#define SW_PLAN_H

#include <stddef.h>

#include "secrets/vault.h"

/* id, key (state and CLI), title (screens) */
#define PLAN_STEPS(X)                                              \
	X(STEP_SUBSCRIPTION, "subscription", "Subscription")          \
	X(STEP_RABBITMQ, "rabbitmq", "RabbitMQ VM")                    \
	X(STEP_MINIO, "minio", "Minio disk and partition")             \
	X(STEP_ACR, "acr", "Container registry (ACR)")                 \
	X(STEP_AKS, "aks", "AKS GPU cluster")                          \
	X(STEP_OVERLAY, "overlay", "Kustomize overlay")

#define PLAN_ENUM_(id, key, title) id,
typedef enum { PLAN_STEPS(PLAN_ENUM_) STEP_COUNT } step_id;
#undef PLAN_ENUM_

const char *plan_step_key(step_id s);
const char *plan_step_title(step_id s);
/* -1 when unknown. */
int plan_step_parse(const char *key);

/* Questions: id, answers-file key path. Order matters: a default may only refer to
 * answers listed above it. The rest of each row is in plan.c. */
#define PLAN_QUESTIONS(X)                                   \
	X(Q_CLOUD, "cloud")                                     \
	X(Q_AUTH_METHOD, "auth.method")                         \
	X(Q_AUTH_TENANT, "auth.tenant")                         \
	X(Q_AUTH_CLIENT_ID, "auth.client_id")                   \
	X(Q_SUBSCRIPTION, "subscription")                       \
	X(Q_LOCATION, "location")                               \
	X(Q_UNIQ_ID, "uniq_id")                                 \
	X(Q_RMQ_RESOURCE_GROUP, "rabbitmq.resource_group")      \
	X(Q_RMQ_VM_NAME, "rabbitmq.vm_name")                    \
	X(Q_RMQ_VM_SIZE, "rabbitmq.vm_size")                    \
	X(Q_RMQ_ADMIN_USER, "rabbitmq.admin_user")              \
	X(Q_RMQ_SSH_KEY, "rabbitmq.ssh_public_key_file")        \
	X(Q_RMQ_AMQP_USER, "rabbitmq.amqp_user")                \
	X(Q_RMQ_AMQP_PORT, "rabbitmq.amqp_port")                \
	X(Q_RMQ_ALLOWED_SOURCES, "rabbitmq.allowed_sources")    \
	X(Q_MINIO_RESOURCE_GROUP, "minio.resource_group")       \
	X(Q_MINIO_VM_NAME, "minio.vm_name")                     \
	X(Q_MINIO_VM_SIZE, "minio.vm_size")                     \
	X(Q_MINIO_ADMIN_USER, "minio.admin_user")               \
	X(Q_MINIO_SSH_KEY, "minio.ssh_public_key_file")         \
	X(Q_MINIO_DATA_DISK_GB, "minio.data_disk_gb")           \
	X(Q_MINIO_BUCKET, "minio.bucket")                       \
	X(Q_MINIO_PORT, "minio.port")                           \
	X(Q_MINIO_ALLOWED_SOURCES, "minio.allowed_sources")     \
	X(Q_MINIO_BINARY_URL, "minio.binary_url")               \
	X(Q_MINIO_BINARY_SHA256, "minio.binary_sha256")         \
	X(Q_MINIO_BINARY_FILE, "minio.binary_file")             \
	X(Q_ACR_RESOURCE_GROUP, "acr.resource_group")           \
	X(Q_ACR_NAME, "acr.name")                               \
	X(Q_ACR_SKU, "acr.sku")                                 \
	X(Q_ACR_SOURCE_REGISTRY, "acr.source_registry")         \
	X(Q_ACR_IMAGE, "acr.image")                             \
	X(Q_AKS_RESOURCE_GROUP, "aks.resource_group")           \
	X(Q_AKS_NAME, "aks.name")                               \
	X(Q_AKS_DNS_PREFIX, "aks.dns_prefix")                   \
	X(Q_AKS_RUNNER_MODE, "aks.runner_mode")                 \
	X(Q_AKS_NODE_VM_SIZE, "aks.node_vm_size")               \
	X(Q_AKS_NODE_COUNT, "aks.node_count")                   \
	X(Q_AKS_CPU_NODE_VM_SIZE, "aks.cpu_node_vm_size")       \
	X(Q_OVERLAY_DIR, "overlay.dir")                         \
	X(Q_OVERLAY_NAMESPACE, "overlay.namespace")             \
	X(Q_OVERLAY_QUEUE_MATCH, "overlay.queue_match")         \
	X(Q_OVERLAY_CLEAR_TEXT, "overlay.clear_text_messages")  \
	X(Q_OVERLAY_RUNNER_STATE, "overlay.runner_state")       \
	X(Q_DECIDE_REGISTER_PROVIDERS, "decisions.register_providers") \
	X(Q_DECIDE_LOW_QUOTA, "decisions.low_quota")                  \
	X(Q_DECIDE_MINIO_UPLOAD, "decisions.minio_upload")

#define PLAN_Q_ENUM_(id, key) id,
typedef enum { PLAN_QUESTIONS(PLAN_Q_ENUM_) PLAN_Q_COUNT } plan_qid;
#undef PLAN_Q_ENUM_

typedef int (*plan_validator)(const char *value, char *why, size_t whylen);

/* How an unanswered question gets its value. */
enum plan_default {
	PLAN_DEF_REQUIRED,   /* no default: the operator must answer */
	PLAN_DEF_TEMPLATE,   /* def with {key.path} replaced by earlier answers */
	PLAN_DEF_UNIQID,     /* the seed's md5 of subscription + `ip maddress show eth0` */
	PLAN_DEF_SSH_KEY,    /* the first of ~/.ssh/id_ed25519.pub, ~/.ssh/id_rsa.pub that exists, else "" */
	PLAN_DEF_NONE,       /* stays unset until answered (decisions the engine asks for) */
	PLAN_DEF_CLOUD,      /* the --cloud file's cloud, else AzureCloud */
	PLAN_DEF_REGION,     /* the first region the wizard knows of the cloud answered (eastus for
	                      * AzureCloud); eastus for a cloud it does not know (free text there) */
};

struct plan_choice {
	const char *value;
	const char *detail;   /* shown beside the value, e.g. GPU model and runner support */
	int selectable;       /* 0: listed so the operator sees why not; the validator refuses it */
};

struct plan_question {
	plan_qid id;
	const char *key;
	step_id step;
	const char *label;
	enum plan_default def_kind;
	const char *def;              /* template for PLAN_DEF_TEMPLATE, else NULL */
	plan_validator validate;
	const char *help;
	const struct plan_choice *choices;  /* NULL for free text */
	size_t nchoices;
	int closed;                   /* 1: only a selectable choice is valid */
	int decision;                 /* 1: asked by the engine when it arises, not on a form */
	int optional;                 /* 1: "" is a valid answer (nothing given) */
};

const struct plan_question *plan_question(plan_qid q);
/* -1 when key is not a question. */
int plan_question_find(const char *key);
/* Validates value for q; on failure why reads "acr.name: must be ...". 0 or -1. */
int plan_question_check(plan_qid q, const char *value, char *why, size_t whylen);
/* The questions of one step's form, in order (decisions excluded); returns how many (at
 * most max are stored). */
size_t plan_step_questions(step_id s, plan_qid *out, size_t max);

/* GPU node sizes; whether the runner can use one depends on its release (core/model/runner.h). */
struct plan_gpu_size {
	const char *size;
	const char *gpu_model;
	int gpus;                /* per node */
	int vcpus;
	int retired;             /* Azure no longer creates it */
};
const struct plan_gpu_size *plan_gpu_sizes(size_t *n);
const struct plan_gpu_size *plan_gpu_find(const char *size);
/* 1 when the runner in image can use size (known, not retired, GPU recognised); else 0 with
 * why ("Standard_ND96asr_v4: runner 0.9.21 does not recognise A100-SXM4-40GB; it does from 0.13.2"). */
int plan_gpu_usable(const char *size, const char *image, char *why, size_t whylen);
/* The GPU size list labelled for image: each size's GPU and whether (or why not) that runner
 * can use it. The array is rebuilt by the next call. */
const struct plan_choice *plan_gpu_choices(const char *image, size_t *n);
#define PLAN_GPU_DEFAULT "Standard_ND96asr_v4"
#define PLAN_SYSTEM_POOL_SIZE "Standard_D2s_v5"

/* Azure region names the wizard offers, with the cloud each belongs to. */
struct plan_region {
	const char *name;
	const char *cloud;
};
const struct plan_region *plan_regions(size_t *n);
const struct plan_region *plan_region_find(const char *name);

/* Validators that need the tables above. */
int plan_validate_cloud(const char *value, char *why, size_t whylen);
/* After loading --cloud FILE: its cloud name is valid too (NULL forgets it). */
void plan_set_extra_cloud(const char *name);
/* The default cloud: the --cloud file's when one was loaded, else AzureCloud. */
const char *plan_default_cloud(void);
/* The clouds F4 lists: the three built in, and the --cloud file's (when it names another). */
const struct plan_choice *plan_cloud_choices(size_t *n);
/* The regions the wizard knows of cloud (rebuilt by the next call); *n = 0 for a cloud it does
 * not know: its region is free text. */
const struct plan_choice *plan_cloud_regions(const char *cloud, size_t *n);
int plan_validate_location(const char *value, char *why, size_t whylen);
int plan_validate_gpu_size(const char *value, char *why, size_t whylen);
int plan_validate_auth_method(const char *value, char *why, size_t whylen);
int plan_validate_acr_sku(const char *value, char *why, size_t whylen);
int plan_validate_source_registry(const char *value, char *why, size_t whylen);

/* A vault entry a step produces (listed by the step's table, core/steps/). */
struct plan_secret {
	const char *name;        /* vault entry name */
	vault_kind kind;
	const char *what;
	const char *only_if;     /* "key=value" condition on the answers, or NULL */
};

/* Expands "{key.path}" (lower-case key characters only) with get(ctx, question); all
 * other text, including "${RMQ_USER}", is copied as is.
 * 0, or -1 (with a message in err when given) for an unknown key, an empty
 * answer or an output that does not fit. */
int plan_expand(const char *tpl, const char *(*get)(void *ctx, plan_qid q), void *ctx,
                char *out, size_t outlen, char *err, size_t errlen);

/* Images and names the steps share (doc/runner.md: "Manifests, names and secrets", "The NVIDIA
 * device plugin"). */
#define PLAN_DEVICE_PLUGIN_IMAGE "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
#define PLAN_DEVICE_PLUGIN_NAMESPACE "gpu-resources"
/* Both service VMs run Ubuntu LTS (Bitnami's RabbitMQ image is gone): 24.04 when the region
 * offers it, else 22.04; the Hyper-V generation 2 image when the size boots it, else the
 * generation 1 image (doc/azure-vm-generations.md). */
#define PLAN_UBUNTU_IMAGE "Canonical:ubuntu-24_04-lts:server:latest"
#define PLAN_UBUNTU_FALLBACK_IMAGE "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"
#define PLAN_UBUNTU_GEN1_IMAGE "Canonical:ubuntu-24_04-lts:server-gen1:latest"
#define PLAN_UBUNTU_GEN1_FALLBACK_IMAGE "Canonical:0001-com-ubuntu-server-jammy:22_04-lts:latest"
/* The last MinIO community release with prebuilt binaries (doc/runner.md, "MinIO binaries"); its published
 * sha256 (110,989,496 bytes). dl.min.io answers 410 for it since 2026-09. */
#define PLAN_MINIO_RELEASE "RELEASE.2025-09-07T16-13-09Z"
#define PLAN_MINIO_URL                                                                                  \
	"https://github.com/minio/minio/releases/download/" PLAN_MINIO_RELEASE "/minio.linux-amd64." PLAN_MINIO_RELEASE
#define PLAN_MINIO_SHA256 "7c5bd8512c6e966455b1d198209358b2d191c77a83ab377c4073281065fb855f"
#define PLAN_RUNNER_BASE_IMAGE "studioml/studio-go-runner"

#endif
