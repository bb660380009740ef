/* tests/fuzz/fuzz_vault_header.c: the vault file's header (secrets/vault_file.c), read before
 * any passphrase by vault_peek (status, the lock's generation check) and by every open. The
 * input is the whole vault.sealed, written to a private directory. A random header almost
 * never passes the header checksum, so each input is tried twice: as it is, and with the
 * checksum made right for its claimed header length, which reaches the field checks behind it.
 * Property: a refusal is one terminal-safe line. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "secrets/vault.h"
#include "tests/fuzz/fuzz.h"

/* The header's length field and trailing checksum, where every format version keeps them
 * (secrets/vault_file.c: OFF_HDRLEN, SUM_LEN). */
#define FUZZ_OFF_HDRLEN 10
#define FUZZ_SUM_LEN 16

static char fuzz_dir[PATH_MAX];

static void fuzz_vault_cleanup(void)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir, VAULT_FILE);
	unlink(path);
	rmdir(fuzz_dir);
}

static void fuzz_vault_try(const uint8_t *data, size_t size)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir, VAULT_FILE);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) != 0)
		abort();
	char err[PATH_MAX + 512] = "";
	uint64_t gen = 0;
	vault_strength s;
	vault_status st = vault_peek(fuzz_dir, &gen, &s, err, sizeof err);
	if (st == VAULT_OK)
		fuzz_accepted = 1;
	else
		fuzz_line_safe("vault header error", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sodium_init() < 0)
		abort();
	if (!fuzz_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fuzz_dir, sizeof fuzz_dir, "%s/sw-fuzz-vault.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(fuzz_dir))
			abort();
		atexit(fuzz_vault_cleanup);
	}
	fuzz_vault_try(data, size);
	if (size >= FUZZ_OFF_HDRLEN + 2) {
		size_t hlen = (size_t)data[FUZZ_OFF_HDRLEN] | (size_t)data[FUZZ_OFF_HDRLEN + 1] << 8;
		if (hlen >= FUZZ_OFF_HDRLEN + 2 + FUZZ_SUM_LEN && hlen <= size) {
			uint8_t *fixed = malloc(size);
			if (!fixed)
				abort();
			memcpy(fixed, data, size);
			crypto_generichash(fixed + hlen - FUZZ_SUM_LEN, FUZZ_SUM_LEN, fixed, hlen - FUZZ_SUM_LEN, NULL, 0);
			fuzz_vault_try(fixed, size);
			free(fixed);
		}
	}
	return 0;
}
