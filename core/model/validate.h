/* core/model/validate.h: Azure's and the runner's naming rules, one function per kind of value.
 * Each returns 0 when value is valid, else -1 with the rule in why ("must be ...").
 * plan_question_check() prefixes the answer's key path ("acr.name: must be ..."). */
#ifndef SW_VALIDATE_H
#define SW_VALIDATE_H

#include <stddef.h>

typedef int (*validate_fn)(const char *value, char *why, size_t whylen);

int validate_guid(const char *value, char *why, size_t whylen);
int validate_tenant(const char *value, char *why, size_t whylen);
int validate_uniq_id(const char *value, char *why, size_t whylen);
int validate_resource_group(const char *value, char *why, size_t whylen);
int validate_vm_name(const char *value, char *why, size_t whylen);
int validate_vm_size(const char *value, char *why, size_t whylen);
int validate_admin_user(const char *value, char *why, size_t whylen);
int validate_ssh_public_key_file(const char *value, char *why, size_t whylen);
/* The same check on the key text itself (first line of a .pub file). */
int validate_ssh_public_key(const char *line, char *why, size_t whylen);
int validate_registry_name(const char *value, char *why, size_t whylen);
int validate_image_ref(const char *value, char *why, size_t whylen);
int validate_aks_name(const char *value, char *why, size_t whylen);
int validate_dns_prefix(const char *value, char *why, size_t whylen);
int validate_bucket(const char *value, char *why, size_t whylen);
int validate_port(const char *value, char *why, size_t whylen);
int validate_amqp_port(const char *value, char *why, size_t whylen);
int validate_amqp_user(const char *value, char *why, size_t whylen);
int validate_node_count(const char *value, char *why, size_t whylen);
int validate_data_disk_gb(const char *value, char *why, size_t whylen);
int validate_k8s_namespace(const char *value, char *why, size_t whylen);
int validate_bool(const char *value, char *why, size_t whylen);
int validate_dir(const char *value, char *why, size_t whylen);
/* "*", or IPv4 addresses / CIDR ranges separated by commas (NSG source prefixes). */
int validate_sources(const char *value, char *why, size_t whylen);
/* a.b.c.d, each part 0-255 without leading zeros. */
int validate_ipv4(const char *value, char *why, size_t whylen);
/* http://a.b.c.d:port (an S3 endpoint as the Minio step records it). */
int validate_endpoint(const char *value, char *why, size_t whylen);
/* http:// or https:// URL of printable characters without spaces or quotes. */
int validate_url(const char *value, char *why, size_t whylen);
/* 64 lower-case hex digits. */
int validate_sha256(const char *value, char *why, size_t whylen);
/* A readable regular file. */
int validate_binary_file(const char *value, char *why, size_t whylen);
int validate_regex_text(const char *value, char *why, size_t whylen);

/* "~/x" -> "$HOME/x"; other paths are copied. 0, or -1 when it does not fit or "~" has no
 * HOME to stand for. The one home expansion (answers, the overlay and export paths). */
int validate_expand_home(const char *path, char *out, size_t outlen);

#endif
