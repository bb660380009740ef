/* core/crypto/runnerkey.h: the runner's message-encryption key as studio-go-runner reads it
 * (x509.DecryptPEMBlock + ParsePKCS1PrivateKey): RSA-4096, the private key PKCS#1 PEM with
 * legacy PEM encryption (Proc-Type 4,ENCRYPTED; DEK-Info AES-128-CBC), the public key PKCS#1
 * PEM, and a generated passphrase. Every output lives in secmem. Key generation is CPU work
 * (about a second), not I/O. */
#ifndef SW_RUNNERKEY_H
#define SW_RUNNERKEY_H

#include <stddef.h>

#define RUNNERKEY_BITS 4096
#define RUNNERKEY_PASSPHRASE_LEN 40   /* letters and digits */

struct runnerkey {
	char *private_pem;   /* secmem, NUL-terminated: -----BEGIN RSA PRIVATE KEY----- ... */
	size_t private_len;
	char *public_pem;    /* secmem, NUL-terminated: -----BEGIN RSA PUBLIC KEY----- ... */
	size_t public_len;
	char *passphrase;    /* secmem, NUL-terminated, no newline (the runner's ssh-passphrase) */
	size_t passphrase_len;
};

/* Fills k (zeroed first). 0, or -1 with a one-line reason in err. */
int runnerkey_generate(struct runnerkey *k, char *err, size_t errlen);
/* Wipes and frees the buffers; k is zeroed. */
void runnerkey_free(struct runnerkey *k);
/* A passphrase of len letters/digits (libsodium randombytes) in secmem, NUL-terminated. */
char *runnerkey_passphrase(size_t len);

#endif
