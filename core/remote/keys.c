/* ed25519 key pairs in OpenSSH formats (PROTOCOL.key, RFC 8709). */
#include "core/remote/keys.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/format/wire.h"
#include "secrets/secmem.h"

#define KEYS_TYPE "ssh-ed25519"
#define KEYS_MAGIC "openssh-key-v1"   /* followed by a NUL in the file */
#define KEYS_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define KEYS_END "-----END OPENSSH PRIVATE KEY-----\n"
#define KEYS_BIN_MAX 2048             /* the binary private file, comment included */
#define KEYS_WRAP 70                  /* ssh-keygen's line length */

struct keys_pair {   /* lives in secmem as a whole */
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];   /* seed || pk */
	char comment[KEYS_COMMENT_MAX];
};

static int keys_str_is(const unsigned char *s, size_t n, const char *want)
{
	return s && n == strlen(want) && memcmp(s, want, n) == 0;
}

static int keys_comment_ok(const char *c)
{
	if (strlen(c) >= KEYS_COMMENT_MAX)
		return 0;
	for (; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return 0;
	return 1;
}

static struct keys_pair *keys_alloc(void)
{
	struct keys_pair *k = secmem_alloc(sizeof *k);
	if (k)
		memset(k, 0, sizeof *k);
	return k;
}

struct keys_pair *keys_generate(const char *comment)
{
	if (!comment)
		comment = "";
	if (!keys_comment_ok(comment))
		return NULL;
	struct keys_pair *k = keys_alloc();
	if (!k)
		return NULL;
	crypto_sign_keypair(k->pk, k->sk);
	snprintf(k->comment, sizeof k->comment, "%s", comment);
	return k;
}

void keys_free(struct keys_pair *k)
{
	secmem_free(k);
}

const unsigned char *keys_public(const struct keys_pair *k)
{
	return k->pk;
}

const char *keys_comment(const struct keys_pair *k)
{
	return k->comment;
}

/* The wire blob: string "ssh-ed25519", string pk. */
static size_t keys_blob(const struct keys_pair *k, unsigned char *out, size_t cap)
{
	struct wire_wr b = {out, 0, cap, 0};
	wire_put_long(&b, KEYS_TYPE, strlen(KEYS_TYPE));
	wire_put_long(&b, k->pk, sizeof k->pk);
	return b.bad ? 0 : b.len;
}

int keys_public_line(const struct keys_pair *k, char *out, size_t outlen)
{
	unsigned char blob[64];
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	size_t n = keys_blob(k, blob, sizeof blob);
	if (!n)
		return -1;
	sodium_bin2base64(b64, sizeof b64, blob, n, sodium_base64_VARIANT_ORIGINAL);
	int w = snprintf(out, outlen, "%s %s%s%s", KEYS_TYPE, b64, k->comment[0] ? " " : "", k->comment);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

int keys_blob_fingerprint(const unsigned char *blob, size_t len, char *out, size_t outlen)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	crypto_hash_sha256(h, blob, len);
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	int w = snprintf(out, outlen, "SHA256:%s", b64);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

int keys_fingerprint(const struct keys_pair *k, char *out, size_t outlen)
{
	unsigned char blob[64];
	size_t n = keys_blob(k, blob, sizeof blob);
	return n ? keys_blob_fingerprint(blob, n, out, outlen) : -1;
}

/* The binary openssh-key-v1 content (PROTOCOL.key), cipher and kdf "none". */
static size_t keys_private_bin(const struct keys_pair *k, unsigned char *out, size_t cap)
{
	unsigned char blob[64];
	size_t bloblen = keys_blob(k, blob, sizeof blob);
	unsigned char *priv = secmem_alloc(KEYS_BIN_MAX);
	if (!bloblen || !priv) {
		secmem_free(priv);
		return 0;
	}
	struct wire_wr p = {priv, 0, KEYS_BIN_MAX, 0};
	uint32_t check = randombytes_random();
	wire_put_u32(&p, check);   /* the two equal checkints tell a right passphrase; kept for the format */
	wire_put_u32(&p, check);
	wire_put_long(&p, KEYS_TYPE, strlen(KEYS_TYPE));
	wire_put_long(&p, k->pk, sizeof k->pk);
	wire_put_long(&p, k->sk, sizeof k->sk);
	wire_put_long(&p, k->comment, strlen(k->comment));
	for (unsigned char pad = 1; p.len % 8; pad++)   /* block size 8 for cipher "none" */
		wire_put(&p, &pad, 1);

	struct wire_wr b = {out, 0, cap, 0};
	wire_put(&b, KEYS_MAGIC, sizeof KEYS_MAGIC);   /* with its NUL */
	wire_put_long(&b, "none", 4);
	wire_put_long(&b, "none", 4);
	wire_put_long(&b, "", 0);
	wire_put_u32(&b, 1);
	wire_put_long(&b, blob, bloblen);
	wire_put_long(&b, p.p, p.len);
	int bad = b.bad || p.bad;
	secmem_free(priv);
	return bad ? 0 : b.len;
}

char *keys_private_openssh(const struct keys_pair *k, size_t *len)
{
	unsigned char *bin = secmem_alloc(KEYS_BIN_MAX);
	size_t b64cap = sodium_base64_ENCODED_LEN(KEYS_BIN_MAX, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = secmem_alloc(b64cap);
	size_t cap = sizeof KEYS_BEGIN + sizeof KEYS_END + b64cap + b64cap / KEYS_WRAP + 2;
	char *out = secmem_alloc(cap);
	size_t n = bin && b64 ? keys_private_bin(k, bin, KEYS_BIN_MAX) : 0;
	if (!n || !out) {
		secmem_free(bin);
		secmem_free(b64);
		secmem_free(out);
		return NULL;
	}
	sodium_bin2base64(b64, b64cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
	size_t o = 0, blen = strlen(b64);
	memcpy(out, KEYS_BEGIN, strlen(KEYS_BEGIN));
	o += strlen(KEYS_BEGIN);
	for (size_t i = 0; i < blen; i += KEYS_WRAP) {
		size_t take = blen - i < KEYS_WRAP ? blen - i : KEYS_WRAP;
		memcpy(out + o, b64 + i, take);
		o += take;
		out[o++] = '\n';
	}
	memcpy(out + o, KEYS_END, strlen(KEYS_END));
	o += strlen(KEYS_END);
	out[o] = '\0';
	secmem_free(bin);
	secmem_free(b64);
	if (len)
		*len = o;
	return out;
}

/* Checks the private section of an openssh-key-v1 file and fills k. 0 or -1 with err. */
static int keys_parse_private(struct wire_rd *r, const unsigned char *pub, size_t publen, struct keys_pair *k,
                              char *err, size_t errlen)
{
	uint32_t c1 = wire_u32(r), c2 = wire_u32(r);
	if (r->bad || c1 != c2) {
		snprintf(err, errlen, "the private key is damaged (check numbers differ)");
		return -1;
	}
	size_t tn, pn, sn, cn;
	const unsigned char *t = wire_str(r, 1, &tn);
	if (!keys_str_is(t, tn, KEYS_TYPE)) {
		snprintf(err, errlen, "not an ed25519 key (only ssh-ed25519 is supported)");
		return -1;
	}
	const unsigned char *pk = wire_str(r, 1, &pn);
	const unsigned char *sk = wire_str(r, 1, &sn);
	const unsigned char *c = wire_str(r, 1, &cn);
	if (r->bad || pn != sizeof k->pk || sn != sizeof k->sk || cn >= sizeof k->comment) {
		snprintf(err, errlen, "the private key is damaged (bad lengths)");
		return -1;
	}
	for (unsigned char want = 1; r->off < r->n; want++)
		if (r->p[r->off++] != want) {
			snprintf(err, errlen, "the private key is damaged (bad padding)");
			return -1;
		}
	memcpy(k->pk, pk, pn);
	memcpy(k->sk, sk, sn);
	memcpy(k->comment, c, cn);
	k->comment[cn] = '\0';
	/* The seed must give the stated public key, and the outer public blob must match it. */
	unsigned char derived_pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char *derived_sk = secmem_alloc(crypto_sign_SECRETKEYBYTES);
	unsigned char blob[64];
	size_t bloblen = keys_blob(k, blob, sizeof blob);
	int ok = derived_sk && crypto_sign_seed_keypair(derived_pk, derived_sk, k->sk) == 0 &&
	         memcmp(derived_pk, k->pk, sizeof derived_pk) == 0 &&
	         memcmp(k->sk + crypto_sign_SEEDBYTES, k->pk, sizeof k->pk) == 0 && bloblen == publen &&
	         memcmp(blob, pub, publen) == 0;
	secmem_free(derived_sk);
	if (!ok) {
		snprintf(err, errlen, "the private key is damaged (its halves do not match)");
		return -1;
	}
	return 0;
}

/* The base64 between the armour lines, decoded into bin. Returns its length or 0. */
static size_t keys_unarmour(const char *text, size_t len, unsigned char *bin, size_t cap, char *err,
                            size_t errlen)
{
	const char *begin = secmem_find(text, len, KEYS_BEGIN, strlen(KEYS_BEGIN) - 1);
	const char *end = begin ? secmem_find(begin, len - (size_t)(begin - text), "-----END OPENSSH PRIVATE KEY-----",
	                                      strlen(KEYS_END) - 1)
	                        : NULL;
	if (!begin || !end) {
		snprintf(err, errlen, "not an OpenSSH private key (no BEGIN/END OPENSSH PRIVATE KEY lines)");
		return 0;
	}
	begin += strlen(KEYS_BEGIN) - 1;
	size_t n = 0;
	if (sodium_base642bin(bin, cap, begin, (size_t)(end - begin), "\r\n\t ", &n, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 || n == 0) {
		snprintf(err, errlen, "the private key is damaged (bad base64)");
		return 0;
	}
	return n;
}

struct keys_pair *keys_from_openssh(const char *text, size_t len, char *err, size_t errlen)
{
	unsigned char *bin = secmem_alloc(KEYS_BIN_MAX);
	struct keys_pair *k = keys_alloc();
	if (!bin || !k) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	size_t n = keys_unarmour(text, len, bin, KEYS_BIN_MAX, err, errlen);
	if (!n)
		goto fail;
	if (n < sizeof KEYS_MAGIC || memcmp(bin, KEYS_MAGIC, sizeof KEYS_MAGIC) != 0) {
		snprintf(err, errlen, "not an openssh-key-v1 private key");
		goto fail;
	}
	struct wire_rd r = {bin, n, sizeof KEYS_MAGIC, 0};
	size_t cn, kn, on, pubn, privn;
	const unsigned char *cipher = wire_str(&r, 1, &cn);
	const unsigned char *kdf = wire_str(&r, 1, &kn);
	wire_str(&r, 1, &on);
	uint32_t nkeys = wire_u32(&r);
	const unsigned char *pub = wire_str(&r, 1, &pubn);
	const unsigned char *priv = wire_str(&r, 1, &privn);
	if (r.bad) {
		snprintf(err, errlen, "the private key is damaged (truncated)");
		goto fail;
	}
	if (!keys_str_is(cipher, cn, "none") || !keys_str_is(kdf, kn, "none")) {
		snprintf(err, errlen, "the private key is encrypted with a passphrase; give an unencrypted one");
		goto fail;
	}
	if (nkeys != 1 || privn % 8) {
		snprintf(err, errlen, "the private key is damaged (%u keys, section of %zu bytes)", nkeys, privn);
		goto fail;
	}
	struct wire_rd pr = {priv, privn, 0, 0};
	if (keys_parse_private(&pr, pub, pubn, k, err, errlen) != 0)
		goto fail;
	secmem_free(bin);
	return k;
fail:
	secmem_free(bin);
	keys_free(k);
	return NULL;
}

int keys_line_blob(const char *line, unsigned char *blob, size_t cap, size_t *len, char *err, size_t errlen)
{
	const char *sp = strchr(line, ' ');
	if (!sp || sp == line || (size_t)(sp - line) > 64) {
		snprintf(err, errlen, "not an OpenSSH public key line (TYPE BASE64 [comment])");
		return -1;
	}
	size_t tlen = (size_t)(sp - line);
	const char *b = sp + 1;
	size_t blen = strcspn(b, " \t\r\n");
	size_t n = 0;
	if (blen == 0 || sodium_base642bin(blob, cap, b, blen, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		snprintf(err, errlen, "the public key's base64 is damaged");
		return -1;
	}
	struct wire_rd r = {blob, n, 0, 0};
	size_t in;
	const unsigned char *inner = wire_str(&r, 1, &in);
	if (r.bad || in != tlen || memcmp(inner, line, tlen) != 0) {
		snprintf(err, errlen, "the public key's type does not match its data");
		return -1;
	}
	*len = n;
	return 0;
}
