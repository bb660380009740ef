/* OpenSSH ed25519 encodings (PROTOCOL.key): the authorized_keys line and the
 * "openssh-key-v1" private file with cipher "none". */
#include "core/crypto/sshkey.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "secrets/secmem.h"

#define SSHKEY_TYPE "ssh-ed25519"
#define SSHKEY_COMMENT_MAX 256

/* A bounded writer over a secmem buffer. */
struct sshbuf {
	unsigned char *p;
	size_t len, cap;
	int bad;
};

static void sshbuf_put(struct sshbuf *b, const void *d, size_t n)
{
	if (b->bad || b->len + n > b->cap) {
		b->bad = 1;
		return;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void sshbuf_u32(struct sshbuf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	                      (unsigned char)v};
	sshbuf_put(b, x, 4);
}

static void sshbuf_str(struct sshbuf *b, const void *d, size_t n)
{
	sshbuf_u32(b, (uint32_t)n);
	sshbuf_put(b, d, n);
}

static void sshbuf_pubblob(struct sshbuf *b, const unsigned char pk[32])
{
	sshbuf_str(b, SSHKEY_TYPE, strlen(SSHKEY_TYPE));
	sshbuf_str(b, pk, 32);
}

void sshkey_free(struct sshkey *k)
{
	if (!k)
		return;
	secmem_free(k->private_text);
	secmem_free(k->public_line);
	memset(k, 0, sizeof *k);
}

static int sshkey_comment_ok(const char *c)
{
	if (strlen(c) > SSHKEY_COMMENT_MAX)
		return 0;
	for (; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return 0;
	return 1;
}

static char *sshkey_public(const unsigned char pk[32], const char *comment, size_t *outlen)
{
	unsigned char blob[64];
	struct sshbuf b = {blob, 0, sizeof blob, 0};
	sshbuf_pubblob(&b, pk);
	size_t b64 = sodium_base64_ENCODED_LEN(b.len, sodium_base64_VARIANT_ORIGINAL);
	size_t cap = strlen(SSHKEY_TYPE) + 1 + b64 + 1 + strlen(comment) + 2;
	char *line = secmem_alloc(cap);
	if (!line || b.bad) {
		secmem_free(line);
		return NULL;
	}
	size_t o = strlen(SSHKEY_TYPE);
	memcpy(line, SSHKEY_TYPE " ", o + 1);
	sodium_bin2base64(line + o + 1, b64, blob, b.len, sodium_base64_VARIANT_ORIGINAL);
	o = strlen(line);
	if (*comment) {
		line[o++] = ' ';
		memcpy(line + o, comment, strlen(comment));
		o += strlen(comment);
	}
	line[o++] = '\n';
	line[o] = 0;
	*outlen = o;
	return line;
}

static char *sshkey_private(const unsigned char sk[64], const char *comment, size_t *outlen)
{
	static const char magic[] = "openssh-key-v1";   /* written with its NUL */
	static const char begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
	static const char end[] = "-----END OPENSSH PRIVATE KEY-----\n";
	const unsigned char *pk = sk + 32;
	*outlen = 0;
	size_t clen = strlen(comment);
	size_t cap = 512 + clen;
	unsigned char *raw = secmem_alloc(cap), *priv = secmem_alloc(cap);
	char *b64 = NULL, *text = NULL;
	if (!raw || !priv)
		goto out;
	/* The private section: check ints, the key, the comment, then padding 1, 2, 3... to 8 bytes. */
	struct sshbuf p = {priv, 0, cap, 0};
	uint32_t check = randombytes_random();
	sshbuf_u32(&p, check);
	sshbuf_u32(&p, check);
	sshbuf_str(&p, SSHKEY_TYPE, strlen(SSHKEY_TYPE));
	sshbuf_str(&p, pk, 32);
	sshbuf_str(&p, sk, 64);
	sshbuf_str(&p, comment, clen);
	for (unsigned char pad = 1; p.len % 8; pad++)
		sshbuf_put(&p, &pad, 1);

	struct sshbuf r = {raw, 0, cap, 0};
	sshbuf_put(&r, magic, sizeof magic);
	sshbuf_str(&r, "none", 4);   /* cipher */
	sshbuf_str(&r, "none", 4);   /* kdf */
	sshbuf_str(&r, "", 0);       /* kdf options */
	sshbuf_u32(&r, 1);           /* one key */
	unsigned char blob[64];
	struct sshbuf pb = {blob, 0, sizeof blob, 0};
	sshbuf_pubblob(&pb, pk);
	sshbuf_str(&r, blob, pb.len);
	sshbuf_str(&r, priv, p.len);
	if (p.bad || r.bad || pb.bad)
		goto out;

	size_t b64len = sodium_base64_ENCODED_LEN(r.len, sodium_base64_VARIANT_ORIGINAL);
	b64 = secmem_alloc(b64len);
	size_t tcap = sizeof begin + b64len + b64len / 70 + 2 + sizeof end;
	text = secmem_alloc(tcap);
	if (!b64 || !text)
		goto out;
	sodium_bin2base64(b64, b64len, raw, r.len, sodium_base64_VARIANT_ORIGINAL);
	/* Lines of 70 characters, as ssh-keygen writes them. */
	size_t o = 0, n = strlen(b64);
	memcpy(text, begin, sizeof begin - 1);
	o = sizeof begin - 1;
	for (size_t i = 0; i < n; i += 70) {
		size_t m = n - i < 70 ? n - i : 70;
		memcpy(text + o, b64 + i, m);
		o += m;
		text[o++] = '\n';
	}
	memcpy(text + o, end, sizeof end);
	o += sizeof end - 1;
	*outlen = o;
out:
	secmem_free(raw);
	secmem_free(priv);
	secmem_free(b64);
	if (!*outlen) {
		secmem_free(text);
		text = NULL;
	}
	return text;
}

int sshkey_ed25519_encode(struct sshkey *k, const unsigned char sk[64], const char *comment)
{
	memset(k, 0, sizeof *k);
	if (!comment)
		comment = "";
	if (!sshkey_comment_ok(comment))
		return -1;
	k->private_text = sshkey_private(sk, comment, &k->private_len);
	k->public_line = sshkey_public(sk + 32, comment, &k->public_len);
	if (!k->private_text || !k->public_line) {
		sshkey_free(k);
		return -1;
	}
	return 0;
}

int sshkey_ed25519_generate(struct sshkey *k, const char *comment)
{
	memset(k, 0, sizeof *k);
	if (sodium_init() < 0)
		return -1;
	unsigned char *sk = secmem_alloc(crypto_sign_ed25519_SECRETKEYBYTES);
	unsigned char pk[crypto_sign_ed25519_PUBLICKEYBYTES];
	if (!sk)
		return -1;
	int rc = crypto_sign_ed25519_keypair(pk, sk) == 0 ? sshkey_ed25519_encode(k, sk, comment) : -1;
	secmem_free(sk);
	return rc;
}
