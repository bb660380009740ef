/* core/remote/cloudinit.h: the #cloud-config user-data of a VM: its hostname, one admin
 * user (sudo without password, keys only), and the ed25519 host key we made before the VM
 * existed, so that the first ssh connection can pin it. The text holds that private key:
 * it lives in secmem, and so does its base64 for ARM's osProfile.customData. */
#ifndef SW_CLOUDINIT_H
#define SW_CLOUDINIT_H

#include <stddef.h>

#include "core/remote/keys.h"

#define CLOUDINIT_MAX 65535   /* Azure's limit on customData, before base64 */

struct cloudinit_vm {
	const char *hostname;           /* RFC 1123: [a-z0-9-] labels */
	const char *admin_user;         /* [a-z_][a-z0-9_-]{0,31}, not root */
	const char *admin_key;          /* the wizard's public line "ssh-ed25519 AAAA... comment" */
	const char *operator_key;       /* the operator's own public line, or NULL */
	const struct keys_pair *host_key;
	const char *const *packages;    /* NULL-terminated apt package names, or NULL */
};

/* Builds the user-data (*user_data, *len) and its base64 (*base64), both secmem and
 * NUL-terminated (free with secmem_free). 0, or -1 with err naming the field. */
int cloudinit_build(const struct cloudinit_vm *vm, char **user_data, size_t *len, char **base64, char *err,
                    size_t errlen);

#endif
