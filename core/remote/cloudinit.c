/* cloud-init user-data: every value checked, then written by the YAML emitter
 * (core/format/yaml.c); the private key goes in a literal block scalar. */
#include "core/remote/cloudinit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/format/yaml.h"
#include "secrets/secmem.h"

static int ci_only(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

static int ci_hostname_ok(const char *h)
{
	size_t len = h ? strlen(h) : 0;
	if (len == 0 || len > 253 || !ci_only(h, "abcdefghijklmnopqrstuvwxyz0123456789-."))
		return 0;
	for (const char *label = h;;) {
		size_t n = strcspn(label, ".");
		if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return 0;
		if (!label[n])
			return 1;
		label += n + 1;
	}
}

static int ci_user_ok(const char *u)
{
	size_t len = u ? strlen(u) : 0;
	return len >= 1 && len <= 32 && strchr("abcdefghijklmnopqrstuvwxyz_", u[0]) &&
	       ci_only(u, "abcdefghijklmnopqrstuvwxyz0123456789_-") && strcmp(u, "root") != 0;
}

static int ci_package_ok(const char *p)
{
	size_t len = strlen(p);
	return len >= 2 && len <= 128 && strchr("abcdefghijklmnopqrstuvwxyz0123456789", p[0]) &&
	       ci_only(p, "abcdefghijklmnopqrstuvwxyz0123456789+.-");
}

/* A public key line whose data matches its type, of a type sshd takes, comment printable. */
static int ci_key_ok(const char *line)
{
	static const char *types[] = {"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	                              "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
	                              "sk-ecdsa-sha2-nistp256@openssh.com"};
	unsigned char blob[4096];
	size_t n;
	char e[128];
	if (!line || strlen(line) >= 16384 || keys_line_blob(line, blob, sizeof blob, &n, e, sizeof e) != 0)
		return 0;
	int known = 0;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		size_t tl = strlen(types[i]);
		known |= strncmp(line, types[i], tl) == 0 && line[tl] == ' ';
	}
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	return known;
}

/* key: s without a copy (the private key stays in secmem, out of cJSON's heap strings). */
static void ci_ref(cJSON *o, const char *key, const char *s, int *bad)
{
	cJSON *v = cJSON_CreateStringReference(s);
	if (!v || !(cJSON_IsArray(o) ? cJSON_AddItemToArray(o, v) : cJSON_AddItemToObject(o, key, v))) {
		cJSON_Delete(v);
		*bad = 1;
	}
}

static void ci_bool(cJSON *o, const char *key, int v, int *bad)
{
	if (!cJSON_AddBoolToObject(o, key, v))
		*bad = 1;
}

/* The user-data document; NULL when out of memory. */
static cJSON *ci_doc(const struct cloudinit_vm *vm, const char *host_priv, const char *host_pub)
{
	int bad = 0;
	cJSON *doc = cJSON_CreateObject(), *u = cJSON_CreateObject();
	ci_ref(doc, "hostname", vm->hostname, &bad);
	cJSON *users = cJSON_AddArrayToObject(doc, "users");
	if (!cJSON_AddItemToArray(users, u)) {
		cJSON_Delete(u);
		bad = 1;
	}
	ci_ref(u, "name", vm->admin_user, &bad);
	ci_ref(u, "sudo", "ALL=(ALL) NOPASSWD:ALL", &bad);
	ci_ref(u, "shell", "/bin/bash", &bad);
	ci_bool(u, "lock_passwd", 1, &bad);
	cJSON *keys = cJSON_AddArrayToObject(u, "ssh_authorized_keys");
	ci_ref(keys, NULL, vm->admin_key, &bad);
	if (vm->operator_key)
		ci_ref(keys, NULL, vm->operator_key, &bad);
	ci_bool(doc, "disable_root", 1, &bad);
	ci_bool(doc, "ssh_pwauth", 0, &bad);
	/* Only our host key: the old ones go, none are generated, so the pinned key is the only one. */
	ci_bool(doc, "ssh_deletekeys", 1, &bad);
	if (!cJSON_AddArrayToObject(doc, "ssh_genkeytypes"))
		bad = 1;
	cJSON *hk = cJSON_AddObjectToObject(doc, "ssh_keys");
	ci_ref(hk, "ed25519_private", host_priv, &bad);
	ci_ref(hk, "ed25519_public", host_pub, &bad);
	if (vm->packages && vm->packages[0]) {
		cJSON *p = cJSON_AddArrayToObject(doc, "packages");
		for (const char *const *q = vm->packages; *q; q++)
			ci_ref(p, NULL, *q, &bad);
	}
	if (bad || !users || !keys || !hk) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

static int ci_check(const struct cloudinit_vm *vm, char *err, size_t errlen)
{
	if (!ci_hostname_ok(vm->hostname)) {
		snprintf(err, errlen, "cloud-init: hostname must be lower-case letters, digits and '-' (RFC 1123)");
		return -1;
	}
	if (!ci_user_ok(vm->admin_user)) {
		snprintf(err, errlen, "cloud-init: admin user must match [a-z_][a-z0-9_-]{0,31} and not be root");
		return -1;
	}
	if (!ci_key_ok(vm->admin_key)) {
		snprintf(err, errlen, "cloud-init: admin_key is not an OpenSSH public key line");
		return -1;
	}
	if (vm->operator_key && !ci_key_ok(vm->operator_key)) {
		snprintf(err, errlen, "cloud-init: operator_key is not an OpenSSH public key line");
		return -1;
	}
	if (!vm->host_key) {
		snprintf(err, errlen, "cloud-init: no host key");
		return -1;
	}
	for (const char *const *p = vm->packages; p && *p; p++)
		if (!ci_package_ok(*p)) {
			snprintf(err, errlen, "cloud-init: package '%.64s' is not a Debian package name", *p);
			return -1;
		}
	return 0;
}

int cloudinit_build(const struct cloudinit_vm *vm, char **user_data, size_t *len, char **base64, char *err,
                    size_t errlen)
{
	*user_data = *base64 = NULL;
	if (ci_check(vm, err, errlen) != 0)
		return -1;
	char host_pub[KEYS_LINE_MAX];
	size_t plen;
	char *host_priv = keys_private_openssh(vm->host_key, &plen);
	if (!host_priv || keys_public_line(vm->host_key, host_pub, sizeof host_pub) != 0) {
		secmem_free(host_priv);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON *doc = ci_doc(vm, host_priv, host_pub);
	long need = doc ? yaml_emit(doc, "#cloud-config", NULL, 0) : -1;
	if (need < 0 || need > CLOUDINIT_MAX) {
		cJSON_Delete(doc);
		secmem_free(host_priv);
		if (need > CLOUDINIT_MAX)
			snprintf(err, errlen, "cloud-init: the user-data is %ld bytes; Azure takes at most %d", need,
			         CLOUDINIT_MAX);
		else
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t b64len = sodium_base64_ENCODED_LEN((size_t)need, sodium_base64_VARIANT_ORIGINAL);
	char *text = secmem_alloc((size_t)need + 1);
	*base64 = secmem_alloc(b64len);
	if (!text || !*base64 || yaml_emit(doc, "#cloud-config", text, (size_t)need + 1) != need) {
		cJSON_Delete(doc);
		secmem_free(text);
		secmem_free(*base64);
		secmem_free(host_priv);
		*base64 = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_Delete(doc);
	secmem_free(host_priv);
	sodium_bin2base64(*base64, b64len, (const unsigned char *)text, (size_t)need, sodium_base64_VARIANT_ORIGINAL);
	*user_data = text;
	*len = (size_t)need;
	return 0;
}
