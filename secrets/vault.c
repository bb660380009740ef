#include "secrets/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

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
#define KCV_LEN 16
#define KDF_ARGON2ID13 1
#define KEY_LEN 32
#define BODY_MAGIC "SWVB"
#define BODY_VERSION 1
#define MAX_BODY ((uint64_t)1 << 31)

_Static_assert(crypto_pwhash_SALTBYTES == 16, "salt size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24, "nonce size");

struct entry {
	char *name;
	char *step;
	unsigned char *value;
	size_t value_len;
	vault_kind kind;
	int64_t created;
	int64_t updated;
	void *block;        /* protected block this entry owns, or NULL when it points into plain */
};

struct vault {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	unsigned char *key;       /* encryption subkey, protected */
	unsigned char kcv[KCV_LEN];
	unsigned char salt[crypto_pwhash_SALTBYTES];
	uint64_t opslimit;
	uint64_t memlimit;
	vault_strength strength;
	uint64_t generation;
	unsigned char *plain;     /* decrypted body as read, protected */
	struct entry *entries;    /* protected array */
	size_t count;
	size_t cap;
};

#define STATUS_TEXT_(id, text) text,
static const char *status_texts[] = {VAULT_STATUS(STATUS_TEXT_)};
#undef STATUS_TEXT_
#define KIND_TEXT_(id, text) text,
static const char *kind_names[] = {VAULT_KINDS(KIND_TEXT_)};
#undef KIND_TEXT_

const char *vault_status_text(vault_status st)
{
	return (unsigned)st < VAULT_STATUS_COUNT ? status_texts[st] : "unknown error";
}

const char *vault_kind_name(vault_kind k)
{
	return (unsigned)k < VAULT_KIND_COUNT ? kind_names[k] : "other";
}

int vault_kind_parse(const char *name, vault_kind *out)
{
	for (int i = 0; i < VAULT_KIND_COUNT; i++)
		if (strcmp(kind_names[i], name) == 0) {
			*out = (vault_kind)i;
			return 0;
		}
	return -1;
}

const char *vault_strength_name(vault_strength s)
{
	switch (s) {
	case VAULT_KDF_INTERACTIVE: return "interactive";
	case VAULT_KDF_MODERATE: return "moderate";
	case VAULT_KDF_SENSITIVE: return "sensitive";
	}
	return "custom";
}

int vault_strength_parse(const char *name, vault_strength *out)
{
	for (int s = VAULT_KDF_INTERACTIVE; s <= VAULT_KDF_SENSITIVE; s++)
		if (strcmp(name, vault_strength_name((vault_strength)s)) == 0) {
			*out = (vault_strength)s;
			return 0;
		}
	return -1;
}

static void strength_limits(vault_strength s, uint64_t *ops, uint64_t *mem)
{
	switch (s) {
	case VAULT_KDF_INTERACTIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
		break;
	case VAULT_KDF_SENSITIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
		break;
	case VAULT_KDF_MODERATE:
	default:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
		break;
	}
}

int vault_process_init(void)
{
	struct rlimit no_core = {0, 0};
	if (setrlimit(RLIMIT_CORE, &no_core) != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return sodium_init() < 0 ? -1 : 0;
}

/* ---- little-endian helpers ---- */

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- names ---- */

int vault_name_valid(const char *name, char *why, size_t whylen)
{
	size_t len = name ? strlen(name) : 0;
	const char *rule = "name: 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit";
	int ok = len >= 1 && len <= VAULT_NAME_MAX &&
	         ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
	          (name[0] >= '0' && name[0] <= '9'));
	for (size_t i = 0; ok && i < len; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == '-';
	}
	if (!ok && why)
		snprintf(why, whylen, "%s", rule);
	return ok ? 0 : -1;
}

static int step_valid(const char *step)
{
	size_t len = strlen(step);
	if (len < 1 || len > VAULT_STEP_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = step[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* ---- keys ---- */

static void derive_subkeys(const unsigned char *master, unsigned char *enc, unsigned char *kcv)
{
	static const char enc_ctx[] = "studio-wizard vault v1 encryption key";
	static const char kcv_ctx[] = "studio-wizard vault v1 key check";
	crypto_generichash(enc, KEY_LEN, (const unsigned char *)enc_ctx, sizeof enc_ctx - 1, master,
	                   KEY_LEN);
	crypto_generichash(kcv, KCV_LEN, (const unsigned char *)kcv_ctx, sizeof kcv_ctx - 1, master,
	                   KEY_LEN);
}

/* Argon2id into v->key and v->kcv. */
static vault_status derive_key(vault *v, const char *pass, size_t passlen, char *err, size_t errlen)
{
	unsigned char *master = secmem_alloc(KEY_LEN);
	if (!master)
		goto nomem;
	if (!v->key && !(v->key = secmem_alloc(KEY_LEN))) {
		secmem_free(master);
		goto nomem;
	}
	if (crypto_pwhash(master, KEY_LEN, pass, passlen, v->salt, v->opslimit, (size_t)v->memlimit,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		secmem_free(master);
		snprintf(err, errlen, "%s: key derivation needs %llu MiB of memory and could not get it",
		         v->path, (unsigned long long)(v->memlimit >> 20));
		return VAULT_E_NOMEM;
	}
	derive_subkeys(master, v->key, v->kcv);
	secmem_free(master);
	return VAULT_OK;
nomem:
	snprintf(err, errlen, "%s: out of protected memory", v->path);
	return VAULT_E_NOMEM;
}

/* ---- entries ---- */

static void entry_release(struct entry *e)
{
	secmem_free(e->block);
	e->block = NULL;
}

static int find_slot(const vault *v, const char *name, size_t *slot)
{
	size_t lo = 0, hi = v->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->entries[mid].name, name);
		if (c == 0) {
			*slot = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*slot = lo;
	return 0;
}

static int ensure_cap(vault *v, size_t want)
{
	if (want <= v->cap)
		return 0;
	size_t cap = v->cap ? v->cap : 16;
	while (cap < want)
		cap *= 2;
	struct entry *n = secmem_alloc(cap * sizeof *n);
	if (!n)
		return -1;
	if (v->count)
		memcpy(n, v->entries, v->count * sizeof *n);
	secmem_free(v->entries);
	v->entries = n;
	v->cap = cap;
	return 0;
}

static vault *vault_alloc(const char *dir)
{
	vault *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	snprintf(v->dir, sizeof v->dir, "%s", dir);
	snprintf(v->path, sizeof v->path, "%s/%s", dir, VAULT_FILE);
	return v;
}

void vault_close(vault *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->count; i++)
		entry_release(&v->entries[i]);
	secmem_free(v->entries);
	secmem_free(v->plain);
	secmem_free(v->key);
	sodium_memzero(v->kcv, sizeof v->kcv);
	free(v);
}

/* ---- body encoding ---- */

static size_t body_size(const vault *v)
{
	size_t n = 4 + 2 + 4;
	for (size_t i = 0; i < v->count; i++) {
		const struct entry *e = &v->entries[i];
		n += 2 + strlen(e->name) + 1 + 2 + strlen(e->step) + 8 + 8 + 4 + e->value_len;
	}
	return n;
}

static void body_encode(const vault *v, unsigned char *p)
{
	memcpy(p, BODY_MAGIC, 4);
	put16(p + 4, BODY_VERSION);
	put32(p + 6, (uint32_t)v->count);
	p += 10;
	for (size_t i = 0; i < v->count; i++) {
		const struct entry *e = &v->entries[i];
		size_t nl = strlen(e->name), sl = strlen(e->step);
		put16(p, (uint16_t)nl);
		memcpy(p + 2, e->name, nl);
		p += 2 + nl;
		*p++ = (unsigned char)e->kind;
		put16(p, (uint16_t)sl);
		memcpy(p + 2, e->step, sl);
		p += 2 + sl;
		put64(p, (uint64_t)e->created);
		put64(p + 8, (uint64_t)e->updated);
		put32(p + 16, (uint32_t)e->value_len);
		p += 20;
		if (e->value_len)
			memcpy(p, e->value, e->value_len);
		p += e->value_len;
	}
}

/* The plaintext was authenticated, but still check every length before trusting it.
 * Names and steps are NUL-terminated in place, over the field that follows each of them
 * once that field has been read. */
static int body_decode(vault *v, unsigned char *p, size_t len)
{
	if (len < 10 || memcmp(p, BODY_MAGIC, 4) != 0 || get16(p + 4) != BODY_VERSION)
		return -1;
	uint32_t count = get32(p + 6);
	if (count > len / 25)
		return -1;
	if (ensure_cap(v, count) != 0)
		return -1;
	size_t off = 10;
	for (uint32_t i = 0; i < count; i++) {
		struct entry e = {0};
		if (len - off < 2)
			return -1;
		size_t nl = get16(p + off);
		if (nl == 0 || nl > VAULT_NAME_MAX || len - off - 2 < nl + 1 + 2)
			return -1;
		unsigned char *name = p + off + 2;
		off += 2 + nl;
		unsigned kind = p[off];
		size_t sl = get16(p + off + 1);
		name[nl] = '\0';                  /* overwrites kind, already read */
		off += 3;
		if (kind >= VAULT_KIND_COUNT || sl > VAULT_STEP_MAX || len - off < sl + 20)
			return -1;
		unsigned char *step = p + off;
		off += sl;
		e.created = (int64_t)get64(p + off);
		e.updated = (int64_t)get64(p + off + 8);
		uint32_t vl = get32(p + off + 16);
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

static vault_status read_file(const char *path, unsigned char **buf, size_t *len, char *err,
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
	unsigned char *b = malloc(size ? size : 1);
	if (!b) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return VAULT_E_NOMEM;
	}
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
static vault_status parse_header(vault *v, const unsigned char *b, size_t len, char *err,
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
	size_t hlen = get16(b + OFF_HDRLEN);
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
	unsigned version = get16(b + OFF_VERSION);
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
	v->opslimit = get64(b + OFF_OPS);
	v->memlimit = get64(b + OFF_MEM);
	if (v->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || v->opslimit > 64 ||
	    v->memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || v->memlimit > ((uint64_t)4 << 30)) {
		snprintf(err, errlen, "%s: damaged header: key derivation limits out of range", v->path);
		return VAULT_E_HEADER;
	}
	v->strength = (vault_strength)b[OFF_STRENGTH];
	memcpy(v->salt, b + OFF_SALT, sizeof v->salt);
	v->generation = get64(b + OFF_GEN);
	uint64_t body_len = get64(b + OFF_BODYLEN);
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
	if (!v)
		return VAULT_E_NOMEM;
	unsigned char *b = NULL;
	size_t len = 0;
	vault_status st = read_file(v->path, &b, &len, err, errlen);
	if (st == VAULT_OK)
		st = parse_header(v, b, len, err, errlen);
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

struct vault_key {
	unsigned char *key;       /* encryption subkey, protected */
	unsigned char kcv[KCV_LEN];
	unsigned char salt[crypto_pwhash_SALTBYTES];
	uint64_t opslimit, memlimit;
};

/* The whole file into *b, its header parsed into v. */
static vault_status open_read(vault *v, unsigned char **b, size_t *len, char *err, size_t errlen)
{
	*b = NULL;
	*len = 0;
	vault_status st = read_file(v->path, b, len, err, errlen);
	return st == VAULT_OK ? parse_header(v, *b, *len, err, errlen) : st;
}

/* With v->key and v->kcv set: the key check, then the body decrypted and indexed. */
static vault_status open_body(vault *v, const unsigned char *b, size_t len, char *err, size_t errlen)
{
	if (sodium_memcmp(v->kcv, b + OFF_KCV, KCV_LEN) != 0) {
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
	if (body_decode(v, v->plain, (size_t)got) != 0) {
		snprintf(err, errlen, "%s: body tampered with or corrupted (bad entry layout)", v->path);
		return VAULT_E_TAMPERED;
	}
	return VAULT_OK;
}

static vault_status open_done(vault *v, vault_status st, unsigned char *b, vault **out)
{
	free(b);
	if (st != VAULT_OK) {
		vault_close(v);
		return st;
	}
	*out = v;
	return VAULT_OK;
}

vault_status vault_open(const char *dir, const char *pass, size_t passlen, vault **out,
                        char *err, size_t errlen)
{
	*out = NULL;
	vault *v = vault_alloc(dir);
	if (!v) {
		snprintf(err, errlen, "%s/%s: out of memory", dir, VAULT_FILE);
		return VAULT_E_NOMEM;
	}
	/* One read: the key is derived for exactly the header that is decrypted. */
	unsigned char *b;
	size_t len;
	vault_status st = open_read(v, &b, &len, err, errlen);
	if (st == VAULT_OK)
		st = derive_key(v, pass, passlen, err, errlen);
	if (st == VAULT_OK)
		st = open_body(v, b, len, err, errlen);
	return open_done(v, st, b, out);
}

vault_status vault_derive_key(const char *dir, const char *pass, size_t passlen, vault_key **out,
                              char *err, size_t errlen)
{
	*out = NULL;
	vault *v = vault_alloc(dir);
	vault_key *k = calloc(1, sizeof *k);
	if (!v || !k) {
		free(v);
		free(k);
		snprintf(err, errlen, "%s/%s: out of memory", dir, VAULT_FILE);
		return VAULT_E_NOMEM;
	}
	unsigned char *b;
	size_t len;
	vault_status st = open_read(v, &b, &len, err, errlen);
	free(b);
	if (st == VAULT_OK)
		st = derive_key(v, pass, passlen, err, errlen);
	if (st == VAULT_OK) {
		k->key = v->key;
		v->key = NULL;
		memcpy(k->kcv, v->kcv, KCV_LEN);
		memcpy(k->salt, v->salt, sizeof k->salt);
		k->opslimit = v->opslimit;
		k->memlimit = v->memlimit;
		*out = k;
	} else {
		free(k);
	}
	vault_close(v);
	return st;
}

vault_status vault_open_with_key(const char *dir, const vault_key *k, vault **out, char *err,
                                 size_t errlen)
{
	*out = NULL;
	vault *v = vault_alloc(dir);
	if (!v) {
		snprintf(err, errlen, "%s/%s: out of memory", dir, VAULT_FILE);
		return VAULT_E_NOMEM;
	}
	unsigned char *b;
	size_t len;
	vault_status st = open_read(v, &b, &len, err, errlen);
	if (st == VAULT_OK && (sodium_memcmp(k->salt, v->salt, sizeof k->salt) != 0 ||
	                       k->opslimit != v->opslimit || k->memlimit != v->memlimit)) {
		snprintf(err, errlen, "%s: the key was derived for another salt or KDF (rekeyed since?)",
		         v->path);
		st = VAULT_E_PASSPHRASE;
	}
	if (st == VAULT_OK && !(v->key = secmem_alloc(KEY_LEN))) {
		snprintf(err, errlen, "%s: out of protected memory", v->path);
		st = VAULT_E_NOMEM;
	}
	if (st == VAULT_OK) {
		memcpy(v->key, k->key, KEY_LEN);
		memcpy(v->kcv, k->kcv, KCV_LEN);
		st = open_body(v, b, len, err, errlen);
	}
	return open_done(v, st, b, out);
}

void vault_key_free(vault_key *k)
{
	if (!k)
		return;
	secmem_free(k->key);
	sodium_memzero(k, sizeof *k);
	free(k);
}

vault_status vault_save(vault *v, char *err, size_t errlen)
{
	size_t plen = body_size(v);
	size_t clen = plen + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if (clen > MAX_BODY) {
		snprintf(err, errlen, "%s: vault would exceed %llu bytes", v->path,
		         (unsigned long long)MAX_BODY);
		return VAULT_E_INVALID;
	}
	unsigned char *plain = secmem_alloc(plen);
	unsigned char *cipher = malloc(clen);     /* ciphertext is not secret */
	if (!plain || !cipher) {
		secmem_free(plain);
		free(cipher);
		snprintf(err, errlen, "%s: out of memory", v->path);
		return VAULT_E_NOMEM;
	}
	body_encode(v, plain);

	unsigned char h[HDR_LEN] = {0};
	memcpy(h, MAGIC, sizeof MAGIC);
	put16(h + OFF_VERSION, FORMAT_VERSION);
	put16(h + OFF_HDRLEN, HDR_LEN);
	h[OFF_KDF] = KDF_ARGON2ID13;
	h[OFF_STRENGTH] = (unsigned char)v->strength;
	put64(h + OFF_OPS, v->opslimit);
	put64(h + OFF_MEM, v->memlimit);
	memcpy(h + OFF_SALT, v->salt, sizeof v->salt);
	put64(h + OFF_GEN, v->generation + 1);
	randombytes_buf(h + OFF_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	memcpy(h + OFF_KCV, v->kcv, KCV_LEN);
	put64(h + OFF_BODYLEN, clen);
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

vault_status vault_create(const char *dir, const char *pass, size_t passlen, vault_strength s,
                          vault **out, char *err, size_t errlen)
{
	*out = NULL;
	vault *v = vault_alloc(dir);
	if (!v) {
		snprintf(err, errlen, "%s/%s: out of memory", dir, VAULT_FILE);
		return VAULT_E_NOMEM;
	}
	if (vault_exists(dir)) {
		snprintf(err, errlen, "%s: a vault already exists; refusing to replace it", v->path);
		vault_close(v);
		return VAULT_E_EXISTS;
	}
	v->strength = s;
	strength_limits(s, &v->opslimit, &v->memlimit);
	randombytes_buf(v->salt, sizeof v->salt);
	vault_status st = derive_key(v, pass, passlen, err, errlen);
	if (st == VAULT_OK)
		st = vault_save(v, err, errlen);
	if (st != VAULT_OK) {
		vault_close(v);
		return st;
	}
	*out = v;
	return VAULT_OK;
}

vault_status vault_rekey(vault *v, const char *newpass, size_t newlen, vault_strength s,
                         char *err, size_t errlen)
{
	/* Keep the old key material until the new file is on disk. */
	unsigned char *old_key = secmem_alloc(KEY_LEN);
	if (!old_key) {
		snprintf(err, errlen, "%s: out of protected memory", v->path);
		return VAULT_E_NOMEM;
	}
	memcpy(old_key, v->key, KEY_LEN);
	unsigned char old_kcv[KCV_LEN], old_salt[sizeof v->salt];
	memcpy(old_kcv, v->kcv, KCV_LEN);
	memcpy(old_salt, v->salt, sizeof old_salt);
	uint64_t old_ops = v->opslimit, old_mem = v->memlimit;
	vault_strength old_s = v->strength;

	v->strength = s;
	strength_limits(s, &v->opslimit, &v->memlimit);
	randombytes_buf(v->salt, sizeof v->salt);
	vault_status st = derive_key(v, newpass, newlen, err, errlen);
	if (st == VAULT_OK)
		st = vault_save(v, err, errlen);
	if (st != VAULT_OK) {
		memcpy(v->key, old_key, KEY_LEN);
		memcpy(v->kcv, old_kcv, KCV_LEN);
		memcpy(v->salt, old_salt, sizeof old_salt);
		v->opslimit = old_ops;
		v->memlimit = old_mem;
		v->strength = old_s;
	}
	secmem_free(old_key);
	sodium_memzero(old_kcv, sizeof old_kcv);
	return st;
}

uint64_t vault_generation(const vault *v)
{
	return v->generation;
}

vault_strength vault_strength_of(const vault *v)
{
	return v->strength;
}

const char *vault_path(const vault *v)
{
	return v->path;
}

size_t vault_count(const vault *v)
{
	return v->count;
}

static void fill_info(const struct entry *e, struct vault_entry_info *info)
{
	info->name = e->name;
	info->kind = e->kind;
	info->step = e->step;
	info->created = e->created;
	info->updated = e->updated;
	info->value_len = e->value_len;
}

int vault_entry_at(const vault *v, size_t i, struct vault_entry_info *info)
{
	if (i >= v->count)
		return -1;
	fill_info(&v->entries[i], info);
	return 0;
}

vault_status vault_get(const vault *v, const char *name, const unsigned char **value,
                       size_t *len, struct vault_entry_info *info)
{
	size_t slot;
	if (!find_slot(v, name, &slot))
		return VAULT_E_NOENT;
	const struct entry *e = &v->entries[slot];
	if (value)
		*value = e->value;
	if (len)
		*len = e->value_len;
	if (info)
		fill_info(e, info);
	return VAULT_OK;
}

vault_status vault_put(vault *v, const char *name, vault_kind kind, const char *step,
                       const void *value, size_t len)
{
	if (vault_name_valid(name, NULL, 0) != 0 || (unsigned)kind >= VAULT_KIND_COUNT ||
	    !step_valid(step) || len > VAULT_VALUE_MAX || (len && !value))
		return VAULT_E_INVALID;
	size_t nl = strlen(name), sl = strlen(step);
	unsigned char *block = secmem_alloc(nl + 1 + sl + 1 + len);
	if (!block)
		return VAULT_E_NOMEM;
	memcpy(block, name, nl + 1);
	memcpy(block + nl + 1, step, sl + 1);
	if (len)
		memcpy(block + nl + sl + 2, value, len);
	struct entry e = {
		.name = (char *)block,
		.step = (char *)block + nl + 1,
		.value = block + nl + sl + 2,
		.value_len = len,
		.kind = kind,
		.block = block,
	};
	e.created = e.updated = (int64_t)time(NULL);
	size_t slot;
	if (find_slot(v, name, &slot)) {
		e.created = v->entries[slot].created;
		entry_release(&v->entries[slot]);
		v->entries[slot] = e;
		return VAULT_OK;
	}
	if (ensure_cap(v, v->count + 1) != 0) {
		secmem_free(block);
		return VAULT_E_NOMEM;
	}
	memmove(&v->entries[slot + 1], &v->entries[slot], (v->count - slot) * sizeof e);
	v->entries[slot] = e;
	v->count++;
	return VAULT_OK;
}

vault_status vault_remove(vault *v, const char *name)
{
	size_t slot;
	if (!find_slot(v, name, &slot))
		return VAULT_E_NOENT;
	entry_release(&v->entries[slot]);
	memmove(&v->entries[slot], &v->entries[slot + 1], (v->count - slot - 1) * sizeof v->entries[0]);
	v->count--;
	return VAULT_OK;
}
