/* secrets/vault.h: the sealed vault, one file `vault.sealed` (libsodium, libc and base/ only).
 *
 * File: a fixed header (magic, format version, KDF id and limits, salt, generation,
 * a fresh 24-byte nonce on every save, key-check value, body length, header checksum)
 * followed by one XChaCha20-Poly1305 message that holds every entry, with the whole
 * header as associated data. Keys and plaintext live only in sodium_malloc memory. */
#ifndef SW_VAULT_H
#define SW_VAULT_H

#include <stddef.h>
#include <stdint.h>

#define VAULT_FILE "vault.sealed"
#define VAULT_NAME_MAX 128
#define VAULT_STEP_MAX 64
#define VAULT_VALUE_MAX (64u * 1024u * 1024u)

/* Every failure has its own status, name and message; the CLI maps them to exit codes. */
#define VAULT_STATUS(X)                                                            \
	X(VAULT_OK, "ok")                                                              \
	X(VAULT_E_IO, "input/output error")                                            \
	X(VAULT_E_NOMEM, "out of memory")                                              \
	X(VAULT_E_MISSING, "no vault yet")                                             \
	X(VAULT_E_EXISTS, "a vault already exists")                                    \
	X(VAULT_E_PASSPHRASE, "wrong passphrase")                                      \
	X(VAULT_E_HEADER, "damaged header")                                            \
	X(VAULT_E_TAMPERED, "body tampered with or corrupted")                         \
	X(VAULT_E_TRUNCATED, "file truncated")                                         \
	X(VAULT_E_NEWER, "written by a newer format version")                          \
	X(VAULT_E_NOENT, "no such entry")                                              \
	X(VAULT_E_INVALID, "invalid argument")

#define VAULT_ENUM_(id, text) id,
typedef enum { VAULT_STATUS(VAULT_ENUM_) VAULT_STATUS_COUNT } vault_status;
#undef VAULT_ENUM_

const char *vault_status_text(vault_status st);

#define VAULT_KINDS(X)                        \
	X(VAULT_KIND_PASSWORD, "password")         \
	X(VAULT_KIND_ACCESS_KEY, "access-key")     \
	X(VAULT_KIND_SSH_KEY, "ssh-key")           \
	X(VAULT_KIND_TOKEN, "token")               \
	X(VAULT_KIND_KUBECONFIG, "kubeconfig")     \
	X(VAULT_KIND_CLIENT_SECRET, "client-secret") \
	X(VAULT_KIND_OTHER, "other")               \
	X(VAULT_KIND_PRIVATE_KEY, "private-key")
/* A vault file stores a kind as its number: a new kind goes last, so old files keep theirs. */

#define VAULT_ENUM_(id, text) id,
typedef enum { VAULT_KINDS(VAULT_ENUM_) VAULT_KIND_COUNT } vault_kind;
#undef VAULT_ENUM_

const char *vault_kind_name(vault_kind k);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int vault_kind_parse(const char *name, vault_kind *out);

/* Argon2id strengths (libsodium's interactive/moderate/sensitive limits). */
typedef enum {
	VAULT_KDF_INTERACTIVE = 1,
	VAULT_KDF_MODERATE = 2,
	VAULT_KDF_SENSITIVE = 3,
} vault_strength;
#define VAULT_KDF_DEFAULT VAULT_KDF_MODERATE

const char *vault_strength_name(vault_strength s);
int vault_strength_parse(const char *name, vault_strength *out);

typedef struct vault vault;

struct vault_entry_info {
	const char *name;
	vault_kind kind;
	const char *step;   /* the step that produced it ("manual" for `vault set`) */
	int64_t created;    /* unix seconds */
	int64_t updated;
	size_t value_len;
};

/* Once per process: libsodium init, no core dumps, not dumpable. 0 or -1. */
int vault_process_init(void);

/* Creates a new, empty vault in dir and saves it; refuses to replace one (VAULT_E_EXISTS). */
vault_status vault_create(const char *dir, const char *pass, size_t passlen, vault_strength s,
                          vault **out, char *err, size_t errlen);
/* Opens dir/vault.sealed. err names the file and the problem. */
vault_status vault_open(const char *dir, const char *pass, size_t passlen, vault **out,
                        char *err, size_t errlen);
/* vault_open in two halves (bench: time the open without the KDF). The key holds the
 * Argon2id result for dir's current header, in protected memory. */
typedef struct vault_key vault_key;
vault_status vault_derive_key(const char *dir, const char *pass, size_t passlen, vault_key **out,
                              char *err, size_t errlen);
/* VAULT_E_PASSPHRASE when the key is wrong or was derived for another salt or KDF. */
vault_status vault_open_with_key(const char *dir, const vault_key *k, vault **out, char *err,
                                 size_t errlen);
void vault_key_free(vault_key *k);
/* Atomic: temp file O_EXCL 0600, write, fsync, rename, fsync dir. Bumps the generation. */
vault_status vault_save(vault *v, char *err, size_t errlen);
/* New salt, new key (and optionally a new strength), saved atomically. */
vault_status vault_rekey(vault *v, const char *newpass, size_t newlen, vault_strength s,
                         char *err, size_t errlen);
void vault_close(vault *v);

/* Reads only the header (no passphrase): format version and generation. */
vault_status vault_peek(const char *dir, uint64_t *generation, vault_strength *s,
                        char *err, size_t errlen);
int vault_exists(const char *dir);

/* A key for authenticating the state beside the vault (core/model/state_auth.c): derived
 * from the vault's key with its own context, so it changes with the passphrase (rekey) and
 * nothing opens or forges the vault with it. out: VAULT_STATE_KEY_LEN bytes, best in
 * protected memory. */
#define VAULT_STATE_KEY_LEN 32
void vault_state_key(const vault *v, unsigned char *out);

uint64_t vault_generation(const vault *v);
vault_strength vault_strength_of(const vault *v);
const char *vault_path(const vault *v);

/* Entries are kept sorted by name. */
size_t vault_count(const vault *v);
int vault_entry_at(const vault *v, size_t i, struct vault_entry_info *info);
/* *value points into protected memory owned by the vault, valid until the next change. */
vault_status vault_get(const vault *v, const char *name, const unsigned char **value,
                       size_t *len, struct vault_entry_info *info);
/* Adds or replaces; keeps `created` of a replaced entry. Not saved until vault_save. */
vault_status vault_put(vault *v, const char *name, vault_kind kind, const char *step,
                       const void *value, size_t len);
vault_status vault_remove(vault *v, const char *name);

/* Names: 1..128 of [A-Za-z0-9._-], starting with a letter or digit. 0 if valid, else -1
 * with the rule in why. */
int vault_name_valid(const char *name, char *why, size_t whylen);

#endif
