/* The file: header v1 (little-endian), the body's entry layout, sealed with
 * XChaCha20-Poly1305 under the whole header; read, checked, unsealed, saved atomically. */
#include "secrets/vault_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "secrets/atomic.h"
#include "secrets/secmem.h"

/* Header v1, little-endian. header_len and the trailing checksum sit where every future
 * version keeps them, so a damaged header and a newer format can be told apart. */
#define MAGIC "SWVAULT"            /* 8 bytes with the NUL */
#define FORMAT_VERSION 1
#define HDR_LEN 120
#define OFF_VERSION 8
#define OFF_HDRLEN 10
#define OFF_KDF 12
#define OFF_STRENGTH 13
#define OFF_OPS 16
#define OFF_MEM 24
#define OFF_SALT 32
#define OFF_GEN 48
#define OFF_NONCE 56
#define OFF_KCV 80
#define OFF_BODYLEN 96
#define OFF_SUM 104
#define SUM_LEN 16
#define KDF_ARGON2ID13 1
#define BODY_MAGIC "SWVB"
#define BODY_VERSION 1
#define MAX_BODY ((uint64_t)1 << 31)

_Static_assert(crypto_pwhash_SALTBYTES == 16, "salt size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24, "nonce size");

/* ---- little-endian helpers ---- */

static void vault_file_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void vault_file_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void vault_file_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t vault_file_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t vault_file_get32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t vault_file_get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- body encoding ---- */

static size_t vault_file_body_size(const vault *v)
{
	size_t n = 4 + 2 + 4;
	for (size_t i = 0; i < v->count; i++) {
		const struct vault_entry *e = &v->entries[i];
		n += 2 + strlen(e->name) + 1 + 2 + strlen(e->step) + 8 + 8 + 4 + e->value_len;
	}
	return n;
}

static void vault_file_body_encode(const vault *v, unsigned char *p)
{
	memcpy(p, BODY_MAGIC, 4);
	vault_file_put16(p + 4, BODY_VERSION);
	vault_file_put32(p + 6, (uint32_t)v->count);
	p += 10;
	for (size_t i = 0; i < v->count; i++) {
		const struct vault_entry *e = &v->entries[i];
		size_t nl = strlen(e->name), sl = strlen(e->step);
		vault_file_put16(p, (uint16_t)nl);
		memcpy(p + 2, e->name, nl);
		p += 2 + nl;
		*p++ = (unsigned char)e->kind;
		vault_file_put16(p, (uint16_t)sl);
		memcpy(p + 2, e->step, sl);
		p += 2 + sl;
		vault_file_put64(p, (uint64_t)e->created);
		vault_file_put64(p + 8, (uint64_t)e->updated);
		vault_file_put32(p + 16, (uint32_t)e->value_len);
		p += 20;
		if (e->value_len)
			memcpy(p, e->value, e->value_len);
		p += e->value_len;
	}
}

/* The plaintext was authenticated, but still check every length before trusting it.
 * Names and steps are NUL-terminated in place, over the field that follows each of them
 * once that field has been read. */
static int vault_file_body_decode(vault *v, unsigned char *p, size_t len)
{
	if (len < 10 || memcmp(p, BODY_MAGIC, 4) != 0 || vault_file_get16(p + 4) != BODY_VERSION)
		return -1;
	uint32_t count = vault_file_get32(p + 6);
	if (count > len / 25)
		return -1;
	if (vault_reserve(v, count) != 0)
		return -1;
	size_t off = 10;
	for (uint32_t i = 0; i < count; i++) {
		struct vault_entry e = {0};
		if (len - off < 2)
			return -1;
		size_t nl = vault_file_get16(p + off);
		if (nl == 0 || nl > VAULT_NAME_MAX || len - off - 2 < nl + 1 + 2)
			return -1;
		unsigned char *name = p + off + 2;
		off += 2 + nl;
		unsigned kind = p[off];
		size_t sl = vault_file_get16(p + off + 1);
		name[nl] = '\0';                  /* overwrites kind, already read */
		off += 3;
		if (kind >= VAULT_KIND_COUNT || sl > VAULT_STEP_MAX || len - off < sl + 20)
			return -1;
		unsigned char *step = p + off;
		off += sl;
		e.created = (int64_t)vault_file_get64(p + off);
		e.updated = (int64_t)vault_file_get64(p + off + 8);
		uint32_t vl = vault_file_get32(p + off + 16);
		step[sl] = '\0';                 /* overwrites `created`, already read */
		off += 20;
		if (vl > VAULT_VALUE_MAX || len - off < vl)
			return -1;
		e.name = (char *)name;
		e.step = (char *)step;
		e.kind = (vault_kind)kind;
		e.value = p + off;
		e.value_len = vl;
		off += vl;
		if (i > 0 && strcmp(v->entries[i - 1].name, e.name) >= 0)
			return -1;              /* written sorted and unique */
		v->entries[v->count++] = e;
	}
	return off == len ? 0 : -1;
}

/* ---- file I/O ---- */

static vault_status vault_file_slurp(const char *path, unsigned char **buf, size_t *len, char *err,
                              size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			snprintf(err, errlen, "%s: no vault here (create one with `vault init`)", path);
			return VAULT_E_MISSING;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return VAULT_E_IO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return VAULT_E_IO;
	}
	if ((uint64_t)st.st_size > MAX_BODY + HDR_LEN) {
		snprintf(err, errlen, "%s: damaged header: file is too large to be a vault", path);
		close(fd);
		return VAULT_E_HEADER;
	}
	size_t size = (size_t)st.st_size;
	unsigned char *b = xmalloc(size);   /* sealed: not secret */
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, b + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*buf = b;
	*len = got;
	return VAULT_OK;
}

/* Checks the header; fills v's KDF fields. Body length checked against the file size. */
static vault_status vault_file_header(vault *v, const unsigned char *b, size_t len, char *err,
                                 size_t errlen)
{
	if (len < OFF_HDRLEN + 2) {
		if (memcmp(b, MAGIC, len < sizeof MAGIC ? len : sizeof MAGIC) == 0) {
			snprintf(err, errlen, "%s: truncated: %zu bytes, shorter than the header", v->path, len);
			return VAULT_E_TRUNCATED;
		}
		snprintf(err, errlen, "%s: damaged header: not a studio-wizard vault", v->path);
		return VAULT_E_HEADER;
	}
	if (memcmp(b, MAGIC, sizeof MAGIC) != 0) {
		snprintf(err, errlen, "%s: damaged header: not a studio-wizard vault (bad magic)", v->path);
		return VAULT_E_HEADER;
	}
	size_t hlen = vault_file_get16(b + OFF_HDRLEN);
	if (hlen < OFF_HDRLEN + 2 + SUM_LEN || hlen > 4096) {
		snprintf(err, errlen, "%s: damaged header: impossible header length %zu", v->path, hlen);
		return VAULT_E_HEADER;
	}
	if (len < hlen) {
		snprintf(err, errlen, "%s: truncated: %zu bytes, shorter than its %zu-byte header", v->path,
		         len, hlen);
		return VAULT_E_TRUNCATED;
	}
	unsigned char sum[SUM_LEN];
	crypto_generichash(sum, SUM_LEN, b, hlen - SUM_LEN, NULL, 0);
	if (sodium_memcmp(sum, b + hlen - SUM_LEN, SUM_LEN) != 0) {
		snprintf(err, errlen, "%s: damaged header: checksum mismatch", v->path);
		return VAULT_E_HEADER;
	}
	unsigned version = vault_file_get16(b + OFF_VERSION);
	if (version > FORMAT_VERSION) {
		snprintf(err, errlen,
		         "%s: written by a newer studio-wizard (vault format %u, this one reads up to %u); "
		         "upgrade studio-wizard",
		         v->path, version, FORMAT_VERSION);
		return VAULT_E_NEWER;
	}
	if (version != FORMAT_VERSION || hlen != HDR_LEN) {
		snprintf(err, errlen, "%s: damaged header: format %u with a %zu-byte header", v->path,
		         version, hlen);
		return VAULT_E_HEADER;
	}
	if (b[OFF_KDF] != KDF_ARGON2ID13) {
		snprintf(err, errlen, "%s: damaged header: unknown key derivation %u", v->path, b[OFF_KDF]);
		return VAULT_E_HEADER;
	}
	v->opslimit = vault_file_get64(b + OFF_OPS);
	v->memlimit = vault_file_get64(b + OFF_MEM);
	if (v->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || v->opslimit > 64 ||
	    v->memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || v->memlimit > ((uint64_t)4 << 30)) {
		snprintf(err, errlen, "%s: damaged header: key derivation limits out of range", v->path);
		return VAULT_E_HEADER;
	}
	v->strength = (vault_strength)b[OFF_STRENGTH];
	memcpy(v->salt, b + OFF_SALT, sizeof v->salt);
	v->generation = vault_file_get64(b + OFF_GEN);
	uint64_t body_len = vault_file_get64(b + OFF_BODYLEN);
	if (body_len < crypto_aead_xchacha20poly1305_ietf_ABYTES || body_len > MAX_BODY) {
		snprintf(err, errlen, "%s: damaged header: impossible body length", v->path);
		return VAULT_E_HEADER;
	}
	if (len - hlen < body_len) {
		snprintf(err, errlen, "%s: truncated: body has %zu of %llu bytes", v->path, len - hlen,
		         (unsigned long long)body_len);
		return VAULT_E_TRUNCATED;
	}
	if (len - hlen > body_len) {
		snprintf(err, errlen, "%s: body tampered with: %zu bytes after the sealed body", v->path,
		         (size_t)(len - hlen - body_len));
		return VAULT_E_TAMPERED;
	}
	return VAULT_OK;
}

vault_status vault_peek(const char *dir, uint64_t *generation, vault_strength *s, char *err,
                        size_t errlen)
{
	vault *v = vault_alloc(dir);
	unsigned char *b = NULL;
	size_t len = 0;
	vault_status st = vault_file_slurp(v->path, &b, &len, err, errlen);
	if (st == VAULT_OK)
		st = vault_file_header(v, b, len, err, errlen);
	if (st == VAULT_OK) {
		if (generation)
			*generation = v->generation;
		if (s)
			*s = v->strength;
	}
	free(b);
	vault_close(v);
	return st;
}

int vault_exists(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, VAULT_FILE);
	struct stat st;
	return lstat(path, &st) == 0;
}

vault_status vault_file_load(const char *dir, vault **out, unsigned char **b, size_t *len, char *err,
                            size_t errlen)
{
	*b = NULL;
	*len = 0;
	vault *v = *out = vault_alloc(dir);
	vault_status st = vault_file_slurp(v->path, b, len, err, errlen);
	return st == VAULT_OK ? vault_file_header(v, *b, *len, err, errlen) : st;
}

/* With v->key and v->kcv set: the key check, then the body decrypted and indexed. */
vault_status vault_file_unseal(vault *v, const unsigned char *b, size_t len, char *err, size_t errlen)
{
	if (sodium_memcmp(v->kcv, b + OFF_KCV, VAULT_KCV_LEN) != 0) {
		snprintf(err, errlen, "%s: wrong passphrase", v->path);
		return VAULT_E_PASSPHRASE;
	}
	size_t clen = len - HDR_LEN;
	size_t plen = clen - crypto_aead_xchacha20poly1305_ietf_ABYTES;
	unsigned long long got = 0;
	v->plain = secmem_alloc(plen);
	if (!v->plain) {
		snprintf(err, errlen, "%s: out of protected memory for %zu bytes", v->path, plen);
		return VAULT_E_NOMEM;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(v->plain, &got, NULL, b + HDR_LEN, clen, b,
	                                               HDR_LEN, b + OFF_NONCE, v->key) != 0) {
		snprintf(err, errlen, "%s: body tampered with or corrupted (authentication failed)",
		         v->path);
		return VAULT_E_TAMPERED;
	}
	if (vault_file_body_decode(v, v->plain, (size_t)got) != 0) {
		snprintf(err, errlen, "%s: body tampered with or corrupted (bad entry layout)", v->path);
		return VAULT_E_TAMPERED;
	}
	return VAULT_OK;
}

vault_status vault_file_done(vault *v, vault_status st, unsigned char *b, vault **out)
{
	free(b);
	if (st != VAULT_OK) {
		vault_close(v);
		return st;
	}
	*out = v;
	return VAULT_OK;
}

vault_status vault_save(vault *v, char *err, size_t errlen)
{
	size_t plen = vault_file_body_size(v);
	size_t clen = plen + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if (clen > MAX_BODY) {
		snprintf(err, errlen, "%s: vault would exceed %llu bytes", v->path,
		         (unsigned long long)MAX_BODY);
		return VAULT_E_INVALID;
	}
	unsigned char *plain = secmem_alloc(plen);
	if (!plain) {
		snprintf(err, errlen, "%s: out of protected memory", v->path);
		return VAULT_E_NOMEM;
	}
	unsigned char *cipher = xmalloc(clen);     /* ciphertext is not secret */
	vault_file_body_encode(v, plain);

	unsigned char h[HDR_LEN] = {0};
	memcpy(h, MAGIC, sizeof MAGIC);
	vault_file_put16(h + OFF_VERSION, FORMAT_VERSION);
	vault_file_put16(h + OFF_HDRLEN, HDR_LEN);
	h[OFF_KDF] = KDF_ARGON2ID13;
	h[OFF_STRENGTH] = (unsigned char)v->strength;
	vault_file_put64(h + OFF_OPS, v->opslimit);
	vault_file_put64(h + OFF_MEM, v->memlimit);
	memcpy(h + OFF_SALT, v->salt, sizeof v->salt);
	vault_file_put64(h + OFF_GEN, v->generation + 1);
	randombytes_buf(h + OFF_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	memcpy(h + OFF_KCV, v->kcv, VAULT_KCV_LEN);
	vault_file_put64(h + OFF_BODYLEN, clen);
	crypto_generichash(h + OFF_SUM, SUM_LEN, h, OFF_SUM, NULL, 0);

	unsigned long long outlen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, &outlen, plain, plen, h, HDR_LEN, NULL,
	                                           h + OFF_NONCE, v->key);
	secmem_free(plain);
	struct iovec iov[2] = {{h, HDR_LEN}, {cipher, (size_t)outlen}};
	int rc = atomic_write(v->dir, VAULT_FILE, iov, 2, err, errlen);
	free(cipher);
	if (rc != 0)
		return VAULT_E_IO;
	v->generation++;
	return VAULT_OK;
}
