/* core/remote/keys.h: ed25519 key pairs (libsodium) in OpenSSH's formats: the public line,
 * the unencrypted private key file, and the SHA256 fingerprint as ssh-keygen prints it.
 * The private half and every encoding of it live in protected memory (secmem). */
#ifndef SW_KEYS_H
#define SW_KEYS_H

#include <stddef.h>

#define KEYS_PUBLIC_LEN 32
#define KEYS_BLOB_MAX 1024   /* an OpenSSH public key blob we accept from a line */
#define KEYS_LINE_MAX 2048   /* "ssh-ed25519 AAAA... comment" */
#define KEYS_FP_MAX 64       /* "SHA256:" + 43 characters */
#define KEYS_COMMENT_MAX 256

struct keys_pair;

/* A fresh key pair; comment (printable ASCII, may be "") goes into both encodings. NULL on failure. */
struct keys_pair *keys_generate(const char *comment);
/* Reads an unencrypted OpenSSH private key file (ed25519). NULL with err on any problem. */
struct keys_pair *keys_from_openssh(const char *text, size_t len, char *err, size_t errlen);
void keys_free(struct keys_pair *k);

const unsigned char *keys_public(const struct keys_pair *k);   /* KEYS_PUBLIC_LEN bytes */
const char *keys_comment(const struct keys_pair *k);
/* "ssh-ed25519 AAAA... comment" into out. 0 or -1 (too small). */
int keys_public_line(const struct keys_pair *k, char *out, size_t outlen);
/* The OpenSSH private key file (openssh-key-v1, cipher none): secmem, NUL-terminated;
 * *len excludes the NUL. NULL when out of memory. Free with secmem_free. */
char *keys_private_openssh(const struct keys_pair *k, size_t *len);
/* "SHA256:..." of this pair's public key. 0 or -1. */
int keys_fingerprint(const struct keys_pair *k, char *out, size_t outlen);

/* "SHA256:..." of any wire-format public key blob. 0 or -1. */
int keys_blob_fingerprint(const unsigned char *blob, size_t len, char *out, size_t outlen);
/* Decodes an OpenSSH public line ("TYPE BASE64 [comment]") to its wire blob, checking the
 * blob names the same TYPE. *len is the blob length. 0, or -1 with err. */
int keys_line_blob(const char *line, unsigned char *blob, size_t cap, size_t *len, char *err,
                   size_t errlen);

#endif
