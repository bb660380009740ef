/* core/crypto/sshkey.h: an ed25519 key pair in OpenSSH's formats (the experimenter signing
 * key: the studioml client reads the private file, the runner's studioml-signing Secret holds
 * the authorized_keys line). libsodium only. */
#ifndef SW_SSHKEY_H
#define SW_SSHKEY_H

#include <stddef.h>

struct sshkey {
	char *private_text;  /* secmem: openssh-key-v1, unencrypted, "-----BEGIN OPENSSH PRIVATE KEY-----" */
	size_t private_len;
	char *public_line;   /* secmem: "ssh-ed25519 AAAA... comment\n" */
	size_t public_len;
};

/* New key pair; comment must be printable ASCII without newlines (may be ""). 0 or -1. */
int sshkey_ed25519_generate(struct sshkey *k, const char *comment);
/* The same encoding for a given libsodium secret key (64 bytes: seed || public key). 0 or -1. */
int sshkey_ed25519_encode(struct sshkey *k, const unsigned char sk[64], const char *comment);
void sshkey_free(struct sshkey *k);

#endif
