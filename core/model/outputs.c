/* core/model/outputs.c: the format of each output that is read back; see outputs.h. */
#include "core/model/outputs.h"

#include <stdio.h>
#include <string.h>

#include "core/model/validate.h"

/* 8-4-4-4-12 lower-case hex digits: what minio_disk.c chooses, and what the disk script
 * compares with sgdisk's and blkid's answers. */
static int outputs_uuid(const char *value, char *why, size_t whylen)
{
	if (validate_guid(value, NULL, 0) != 0 || strpbrk(value, "ABCDEF")) {
		snprintf(why, whylen, "must be a UUID in lower case, such as 0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8");
		return -1;
	}
	return 0;
}

/* A PEM public key (core/crypto/runnerkey.c): the armour lines, then base64 lines. */
static int outputs_pem(const char *value, char *why, size_t whylen)
{
	static const char head[] = "-----BEGIN RSA PUBLIC KEY-----\n", tail[] = "-----END RSA PUBLIC KEY-----\n";
	size_t n = strlen(value), hl = sizeof head - 1, tl = sizeof tail - 1;
	int ok = n > hl + tl && n < 4096 && strncmp(value, head, hl) == 0 && strcmp(value + n - tl, tail) == 0;
	for (size_t i = hl; ok && i < n - tl; i++)
		ok = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n", value[i]) != NULL;
	if (!ok) {
		snprintf(why, whylen, "must be a PEM RSA public key (-----BEGIN RSA PUBLIC KEY----- ...)");
		return -1;
	}
	return 0;
}

static const struct {
	const char *key;
	validate_fn check;
} outputs_formats[] = {
	{"rabbitmq.public_ip", validate_ipv4},
	{"minio.public_ip", validate_ipv4},
	{"minio.data_partuuid", outputs_uuid},
	{"minio.data_fsuuid", outputs_uuid},
	{"minio.endpoint", validate_endpoint},
	{"overlay.runner_public_key", outputs_pem},
};

int outputs_check(const char *key, const char *value, char *why, size_t whylen)
{
	char rule[256] = "has no known format";
	int rc = -1;
	for (size_t i = 0; i < sizeof outputs_formats / sizeof *outputs_formats; i++)
		if (strcmp(outputs_formats[i].key, key) == 0) {
			rc = value ? outputs_formats[i].check(value, rule, sizeof rule) : -1;
			if (!value)
				snprintf(rule, sizeof rule, "must be a string");
			break;
		}
	if (rc != 0)
		snprintf(why, whylen, "outputs.\"%s\" in state.json: %s", key, rule);
	return rc;
}

int outputs_get(const cJSON *outputs, const char *key, const char **value, char *why, size_t whylen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(outputs, key);
	*value = NULL;
	if (!v)
		return 0;
	if (outputs_check(key, cJSON_IsString(v) ? v->valuestring : NULL, why, whylen) != 0)
		return -1;
	*value = v->valuestring;
	return 0;
}
