/* tests/fuzz/fuzz_keys.c: SSH keys from files the operator points at: the OpenSSH private key
 * file (core/remote/keys.c keys_from_openssh, bytes as they are, no NUL after them) and the
 * public key line (keys_line_blob, and validate_ssh_public_key of core/model/validate.c).
 * Properties: refusals are one terminal-safe line; an accepted private key writes itself
 * out again and reads back to the same public key; its public line decodes again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/model/validate.h"
#include "core/remote/keys.h"
#include "secrets/secmem.h"
#include "tests/fuzz/fuzz.h"

static void fuzz_keys_roundtrip(const struct keys_pair *k)
{
	char err[256] = "", line[KEYS_LINE_MAX], fp[KEYS_FP_MAX];
	unsigned char blob[KEYS_BLOB_MAX];
	size_t len = 0;
	char *file = keys_private_openssh(k, &len);
	if (!file)
		abort();
	struct keys_pair *again = keys_from_openssh(file, len, err, sizeof err);
	secmem_free(file);
	if (!again || memcmp(keys_public(again), keys_public(k), KEYS_PUBLIC_LEN) != 0 ||
	    strcmp(keys_comment(again), keys_comment(k)) != 0) {
		fprintf(stderr, "fuzz: the private key written back does not read back: %s\n", err);
		abort();
	}
	keys_free(again);
	if (keys_public_line(k, line, sizeof line) != 0 || keys_fingerprint(k, fp, sizeof fp) != 0 ||
	    keys_line_blob(line, blob, sizeof blob, &len, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz: the public line of an accepted key does not decode: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sodium_init() < 0)
		abort();
	char err[512] = "";
	struct keys_pair *k = keys_from_openssh((const char *)data, size, err, sizeof err);
	if (k) {
		fuzz_accepted = 1;
		fuzz_keys_roundtrip(k);
		keys_free(k);
	} else {
		fuzz_line_safe("private key error", err);
	}

	char *text = fuzz_text(data, size);
	unsigned char blob[KEYS_BLOB_MAX];
	size_t len = 0;
	char fp[KEYS_FP_MAX];
	if (keys_line_blob(text, blob, sizeof blob, &len, err, sizeof err) == 0) {
		fuzz_accepted = 1;
		if (keys_blob_fingerprint(blob, len, fp, sizeof fp) != 0)
			abort();
	} else {
		fuzz_line_safe("public key error", err);
	}
	if (validate_ssh_public_key(text, err, sizeof err) == 0)
		fuzz_accepted = 1;
	else
		fuzz_line_safe("public key check", err);
	free(text);
	return 0;
}
