/* The runner's RSA key: libcrypto for RSA and PEM, libsodium for the passphrase. */
#include "core/crypto/runnerkey.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "secrets/secmem.h"

char *runnerkey_passphrase(size_t len)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char *p = secmem_alloc(len + 1);
	if (!p)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p[i] = set[randombytes_uniform((uint32_t)(sizeof set - 1))];
	p[len] = 0;
	return p;
}

static void runnerkey_err(char *err, size_t errlen, const char *what)
{
	char ossl[256] = "";
	unsigned long e = ERR_get_error();
	if (e)
		ERR_error_string_n(e, ossl, sizeof ossl);
	ERR_clear_error();
	snprintf(err, errlen, "%s%s%s", what, *ossl ? ": " : "", ossl);
}

/* Moves the BIO's bytes into a NUL-terminated secmem buffer and wipes the BIO's copy. */
static char *runnerkey_take(BIO *b, size_t *len)
{
	BUF_MEM *m = NULL;
	BIO_get_mem_ptr(b, &m);
	if (!m || !m->length)
		return NULL;
	char *out = secmem_alloc(m->length + 1);
	if (out) {
		memcpy(out, m->data, m->length);
		out[m->length] = 0;
		*len = m->length;
	}
	OPENSSL_cleanse(m->data, m->max);
	return out;
}

void runnerkey_free(struct runnerkey *k)
{
	if (!k)
		return;
	secmem_free(k->private_pem);
	secmem_free(k->public_pem);
	secmem_free(k->passphrase);
	memset(k, 0, sizeof *k);
}

int runnerkey_generate(struct runnerkey *k, char *err, size_t errlen)
{
	memset(k, 0, sizeof *k);
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium did not start");
		return -1;
	}
	EVP_PKEY *pkey = EVP_RSA_gen(RUNNERKEY_BITS);
	BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
	OSSL_ENCODER_CTX *enc = NULL;
	int rc = -1;
	k->passphrase = runnerkey_passphrase(RUNNERKEY_PASSPHRASE_LEN);
	k->passphrase_len = RUNNERKEY_PASSPHRASE_LEN;
	if (!pkey || !priv || !pub || !k->passphrase) {
		runnerkey_err(err, errlen, "cannot generate an RSA-4096 key");
		goto out;
	}
	/* "traditional" = PKCS#1 RSAPrivateKey with the legacy Proc-Type/DEK-Info encryption. */
	if (PEM_write_bio_PrivateKey_traditional(priv, pkey, EVP_aes_128_cbc(), (unsigned char *)k->passphrase,
	                                         (int)k->passphrase_len, NULL, NULL) != 1) {
		runnerkey_err(err, errlen, "cannot write the RSA private key");
		goto out;
	}
	/* "type-specific" = PKCS#1 RSAPublicKey: -----BEGIN RSA PUBLIC KEY----- */
	enc = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
	if (!enc || OSSL_ENCODER_CTX_get_num_encoders(enc) == 0 || OSSL_ENCODER_to_bio(enc, pub) != 1) {
		runnerkey_err(err, errlen, "cannot write the RSA public key");
		goto out;
	}
	k->private_pem = runnerkey_take(priv, &k->private_len);
	k->public_pem = runnerkey_take(pub, &k->public_len);
	if (!k->private_pem || !k->public_pem) {
		snprintf(err, errlen, "out of protected memory for the RSA key");
		goto out;
	}
	rc = 0;
out:
	if (priv) {
		BUF_MEM *m = NULL;
		BIO_get_mem_ptr(priv, &m);
		if (m && m->data)
			OPENSSL_cleanse(m->data, m->max);
	}
	OSSL_ENCODER_CTX_free(enc);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(pkey);
	if (rc)
		runnerkey_free(k);
	return rc;
}
