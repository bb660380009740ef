/* core/registry/hub.h: a container registry's v2 API (Docker Hub and alike) on the project's
 * http client: does a tag exist, which tags a repository has. The registry's bearer-token
 * challenge is followed (anonymous, or Basic with the operator's USER:TOKEN, sent only to
 * the registry's own token service); TLS verified, plain http only to loopback (tests). A
 * realm carrying a user name or password, and a token with bytes outside visible ASCII (it
 * goes into a header), are refused. */
#ifndef SW_HUB_H
#define SW_HUB_H

#include <stddef.h>

#include "core/http/http.h"

struct hub_op;

struct hub_result {
	int found;              /* manifest: 1 the tag exists, 0 it does not; tags: 1 */
	const char *error;      /* NULL, or one line (the registry unreachable, refused, ...) */
	const char *const *tags;/* tags: every tag, in the registry's order */
	size_t ntags;
};
/* Called once, from the loop; the op is freed after it returns. */
typedef void (*hub_done_fn)(const struct hub_result *r, void *arg);

/* The v2 API base of acr.source_registry: docker.io -> https://registry-1.docker.io, a host
 * -> https://host, a URL as it is. 0 or -1. */
int hub_base_url(const char *source, char *out, size_t outlen);
/* The registryUri ACR's importImage takes for it ("docker.io", "127.0.0.1:5000"). */
int hub_import_host(const char *source, char *out, size_t outlen);
/* repo and tag of an image reference as the registry names them (docker.io adds library/ to
 * single names; no tag: latest). 0 or -1. */
int hub_split_image(const char *source, const char *image, char *repo, size_t repolen, char *tag, size_t taglen);

/* cred: "USER:TOKEN" (copied into secmem and wiped) or NULL for anonymous. NULL when out of memory. */
struct hub_op *hub_manifest_exists(struct http_client *http, const char *source, const char *repo, const char *tag,
                                   const void *cred, size_t credlen, hub_done_fn done, void *arg);
struct hub_op *hub_tags(struct http_client *http, const char *source, const char *repo, const void *cred, size_t credlen,
                        hub_done_fn done, void *arg);
/* Drops it without calling done. */
void hub_cancel(struct hub_op *op);

#endif
