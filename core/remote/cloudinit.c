/* cloud-init user-data: every value is either checked to be plain or written as a YAML
 * double-quoted scalar with escapes; the private key goes in a literal block scalar. */
#include "core/remote/cloudinit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "secrets/secmem.h"

/* Output that first only counts (p == NULL), then writes into a buffer of that size. */
struct ci_out {
	char *p;
	size_t len;
};

static void ci_put(struct ci_out *o, const char *s, size_t n)
{
	if (o->p)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void ci_puts(struct ci_out *o, const char *s)
{
	ci_put(o, s, strlen(s));
}

/* A YAML double-quoted scalar; inputs are printable ASCII (checked), so only " and \ need escapes. */
static void ci_quoted(struct ci_out *o, const char *s)
{
	ci_put(o, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			ci_put(o, "\\", 1);
		ci_put(o, s, 1);
	}
	ci_put(o, "\"", 1);
}

/* A literal block scalar indented by indent spaces; the text ends with a newline. */
static void ci_block(struct ci_out *o, const char *text, const char *indent)
{
	ci_puts(o, "|\n");
	while (*text) {
		size_t n = strcspn(text, "\n");
		ci_puts(o, indent);
		ci_put(o, text, n);
		ci_put(o, "\n", 1);
		text += n + (text[n] == '\n');
	}
}

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

static void ci_write(struct ci_out *o, const struct cloudinit_vm *vm, const char *host_priv,
                     const char *host_pub)
{
	ci_puts(o, "#cloud-config\nhostname: ");
	ci_quoted(o, vm->hostname);
	ci_puts(o, "\nusers:\n  - name: ");
	ci_quoted(o, vm->admin_user);
	ci_puts(o, "\n    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n    shell: /bin/bash\n    lock_passwd: true\n"
	           "    ssh_authorized_keys:\n      - ");
	ci_quoted(o, vm->admin_key);
	if (vm->operator_key) {
		ci_puts(o, "\n      - ");
		ci_quoted(o, vm->operator_key);
	}
	/* Only our host key: the old ones go, none are generated, so the pinned key is the only one. */
	ci_puts(o, "\ndisable_root: true\nssh_pwauth: false\nssh_deletekeys: true\nssh_genkeytypes: []\n"
	           "ssh_keys:\n  ed25519_private: ");
	ci_block(o, host_priv, "    ");
	ci_puts(o, "  ed25519_public: ");
	ci_quoted(o, host_pub);
	ci_puts(o, "\n");
	if (vm->packages && vm->packages[0]) {
		ci_puts(o, "packages:\n");
		for (const char *const *p = vm->packages; *p; p++) {
			ci_puts(o, "  - ");
			ci_quoted(o, *p);
			ci_puts(o, "\n");
		}
	}
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
	struct ci_out o = {NULL, 0};
	ci_write(&o, vm, host_priv, host_pub);
	if (o.len > CLOUDINIT_MAX) {
		secmem_free(host_priv);
		snprintf(err, errlen, "cloud-init: the user-data is %zu bytes; Azure takes at most %d", o.len,
		         CLOUDINIT_MAX);
		return -1;
	}
	size_t need = o.len;
	size_t b64len = sodium_base64_ENCODED_LEN(need, sodium_base64_VARIANT_ORIGINAL);
	o.p = secmem_alloc(need + 1);
	*base64 = secmem_alloc(b64len);
	if (!o.p || !*base64) {
		secmem_free(o.p);
		secmem_free(*base64);
		secmem_free(host_priv);
		*base64 = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o.len = 0;
	ci_write(&o, vm, host_priv, host_pub);
	o.p[o.len] = '\0';
	secmem_free(host_priv);
	sodium_bin2base64(*base64, b64len, (const unsigned char *)o.p, o.len, sodium_base64_VARIANT_ORIGINAL);
	*user_data = o.p;
	*len = o.len;
	return 0;
}
