/* state.json's authentication: a keyed BLAKE2b MAC over the document's canonical text (the
 * document without "mac", as cJSON_Print writes it), under a key derived from the vault's
 * (secrets/vault.h vault_state_key); and, when the MAC does not match, what differs from the
 * last state this program signed (state.json.verified). */
#include "core/model/state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/sys/text.h"
#include "core/sys/timeutil.h"
#include "secrets/secmem.h"
#include "secrets/vault.h"

#define STATE_MAC_LEN 32
#define DIFF_VALUE_MAX 96

static void state_auth_mac(const unsigned char *key, const char *text, unsigned char *out)
{
	crypto_generichash(out, STATE_MAC_LEN, (const unsigned char *)text, strlen(text), key, VAULT_STATE_KEY_LEN);
}

char *state_sign(const struct state *st, const char *text)
{
	if (!st->mac_key)
		return NULL;
	unsigned char m[STATE_MAC_LEN];
	char *hex = malloc(2 * STATE_MAC_LEN + 1);
	if (!hex)
		return NULL;
	state_auth_mac(st->mac_key, text, m);
	return sodium_bin2hex(hex, 2 * STATE_MAC_LEN + 1, m, sizeof m);
}

static int state_auth_matches(const unsigned char *key, const char *text, const char *hex)
{
	unsigned char want[STATE_MAC_LEN], got[STATE_MAC_LEN];
	size_t n = 0;
	if (!hex || strlen(hex) != 2 * STATE_MAC_LEN ||
	    sodium_hex2bin(want, sizeof want, hex, strlen(hex), NULL, &n, NULL) != 0 || n != sizeof want)
		return 0;
	state_auth_mac(key, text, got);
	return sodium_memcmp(want, got, sizeof got) == 0;
}

int state_bind(struct state *st, const vault *v)
{
	if (!st->mac_key && !(st->mac_key = secmem_alloc(VAULT_STATE_KEY_LEN)))
		return -1;
	vault_state_key(v, st->mac_key);
	return 0;
}

int state_verified(const struct state *st)
{
	return st->mac_key != NULL;
}

const char *state_auth_unverified(const struct state *st)
{
	if (!st->signed_text)
		return NULL;
	return st->mac ? "not verified: its MAC is checked when the vault is opened with the passphrase"
	               : "not verified: it carries no MAC";
}

/* Nothing a step did or may skip is recorded: what a state holds before its first run. */
static int state_auth_fresh(const struct state *st)
{
	if (cJSON_GetArraySize(st->actions) || cJSON_GetArraySize(st->resources) || cJSON_GetArraySize(st->outputs))
		return 0;
	for (int i = 0; (size_t)i < plan_step_count(); i++)
		if (st->steps[i].status != STEP_PENDING || st->steps[i].confirmed || cJSON_GetArraySize(st->steps[i].secrets))
			return 0;
	return 1;
}

/* ---- what differs ---- */

struct diff {
	char *out;
	size_t len, used;
	int more;
};

__attribute__((format(printf, 2, 3))) static void diff_line(struct diff *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	size_t n = strlen(line);
	if (d->used + n + 40 > d->len) {   /* keep room for the "and N more" line */
		d->more++;
		return;
	}
	memcpy(d->out + d->used, line, n + 1);
	d->used += n;
}

/* parent.key, parent."odd key" or parent[label]; everything made safe. */
static void diff_path(char *buf, size_t len, const char *parent, const cJSON *item, int index)
{
	char safe[256];
	if (item->string) {
		text_safe(item->string, safe, sizeof safe);
		int plain = safe[0] != '\0' && strspn(safe, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
		                                    strlen(safe);
		snprintf(buf, len, plain ? "%s%s%s" : "%s%s\"%s\"", parent, parent[0] ? "." : "", safe);
		return;
	}
	/* Steps are named by their "step" rather than their place. */
	const cJSON *step = cJSON_GetObjectItemCaseSensitive(item, "step");
	if (cJSON_IsString(step)) {
		text_safe(step->valuestring, safe, sizeof safe);
		snprintf(buf, len, "%s[%s]", parent, safe);
	} else {
		snprintf(buf, len, "%s[%d]", parent, index);
	}
}

static void diff_value(const cJSON *v, char *buf, size_t len)
{
	char *raw = v ? cJSON_PrintUnformatted(v) : NULL;
	if (!raw) {
		snprintf(buf, len, "%s", v ? "?" : "(absent)");
		return;
	}
	char safe[DIFF_VALUE_MAX + 8];
	size_t n = text_safe(raw, safe, sizeof safe);
	free(raw);
	if (n >= DIFF_VALUE_MAX)
		memcpy(safe + DIFF_VALUE_MAX - 3, "...", 4);
	snprintf(buf, len, "%s", safe);
}

static void diff_walk(struct diff *d, const char *path, const cJSON *a, const cJSON *b)
{
	char sub[1024];
	const cJSON *it;
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		cJSON_ArrayForEach(it, a)
		{
			diff_path(sub, sizeof sub, path, it, 0);
			diff_walk(d, sub, it, cJSON_GetObjectItemCaseSensitive(b, it->string));
		}
		cJSON_ArrayForEach(it, b)
		{
			if (cJSON_GetObjectItemCaseSensitive(a, it->string))
				continue;
			diff_path(sub, sizeof sub, path, it, 0);
			diff_walk(d, sub, NULL, it);
		}
		return;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
		for (int i = 0; i < na || i < nb; i++) {
			const cJSON *x = cJSON_GetArrayItem(a, i), *y = cJSON_GetArrayItem(b, i);
			diff_path(sub, sizeof sub, path, x ? x : y, i);
			diff_walk(d, sub, x, y);
		}
		return;
	}
	if (a && b && cJSON_Compare(a, b, 1))
		return;
	char was[DIFF_VALUE_MAX + 8], now[DIFF_VALUE_MAX + 8];
	diff_value(a, was, sizeof was);
	diff_value(b, now, sizeof now);
	diff_line(d, "  %s: %s -> %s\n", path, was, now);
}

/* The verified copy's document (without "mac") when its MAC matches under key, else NULL. */
static cJSON *state_auth_verified_copy(const char *dir, const unsigned char *key)
{
	char err[512];
	int missing;
	char *text = state_read_text(dir, STATE_VERIFIED_FILE, &missing, err, sizeof err);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	free(text);
	cJSON *mac = cJSON_DetachItemFromObjectCaseSensitive(root, "mac");
	char *canon = root ? cJSON_Print(root) : NULL;
	int ok = canon && cJSON_IsString(mac) && state_auth_matches(key, canon, mac->valuestring);
	free(canon);
	cJSON_Delete(mac);
	if (!ok) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* The verified copy is written after state.json with the same bytes, so it is never ahead of
 * it, except when an older state.json (alone, or with the vault of its time) was put back. */
static int state_auth_behind_copy(const struct state *st, const cJSON *was)
{
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(was, "vault_generation");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(was, "updated");
	int64_t t;
	if (!cJSON_IsNumber(g) || g->valuedouble < (double)st->vault_generation)
		return 0;
	if (g->valuedouble > (double)st->vault_generation)
		return 1;
	return cJSON_IsString(u) && time_parse_iso(u->valuestring, &t) == 0 && t > st->updated;
}

static void state_auth_report(const struct state *st, enum state_auth a, const vault *v, const unsigned char *key,
                              const char *dir, char *report, size_t len)
{
	struct diff d = {report, len, 0, 0};
	report[0] = '\0';
	if (a == STATE_AUTH_OLD && st->vault_generation + 1 >= vault_generation(v))
		diff_line(&d, "%s/%s is older than %s, the last state studio-wizard signed (an older copy put back, "
		          "alone or with the vault of its time?).\n",
		          dir, STATE_FILE, STATE_VERIFIED_FILE);
	else if (a == STATE_AUTH_OLD && !st->signed_text)
		diff_line(&d, "%s/%s is missing, and the vault was written after it was created (generation %llu): "
		          "deleted outside studio-wizard?\n",
		          dir, STATE_FILE, (unsigned long long)vault_generation(v));
	else if (a == STATE_AUTH_OLD)
		diff_line(&d, "%s/%s is older than the vault: it follows vault generation %llu, the vault is at %llu (an old "
		          "copy put back?).\n",
		          dir, STATE_FILE, (unsigned long long)st->vault_generation,
		          (unsigned long long)vault_generation(v));
	else
		diff_line(&d, a == STATE_AUTH_UNSIGNED
	                  ? "%s/%s carries no MAC: written by a studio-wizard from before state authentication, or "
	                    "the MAC was removed.\n"
	                  : "%s/%s does not match its MAC: it was changed outside studio-wizard, or signed for another "
	                    "vault or passphrase.\n",
	          dir, STATE_FILE);
	cJSON *was = state_auth_verified_copy(dir, key);
	cJSON *now = cJSON_Parse(st->signed_text);
	if (!was) {
		diff_line(&d, "%s is missing or does not match its MAC either: what changed cannot be named.\n",
		          STATE_VERIFIED_FILE);
	} else if (!now) {
		diff_line(&d, "%s holds the last state studio-wizard signed.\n", STATE_VERIFIED_FILE);
	} else {
		diff_line(&d, "Changes since the last state studio-wizard signed (%s):\n", STATE_VERIFIED_FILE);
		size_t before = d.used;
		diff_walk(&d, "", was, now);
		if (d.used == before && !d.more)
			diff_line(&d, "  none in content: only the MAC differs.\n");
	}
	if (d.more)
		snprintf(report + d.used, len - d.used, "  ... and %d more\n", d.more);
	cJSON_Delete(was);
	cJSON_Delete(now);
}

enum state_auth state_verify(struct state *st, const vault *v, const char *dir, char *report, size_t reportlen)
{
	if (report && reportlen)
		report[0] = '\0';
	unsigned char *key = secmem_alloc(VAULT_STATE_KEY_LEN);
	if (!key)
		return STATE_AUTH_MISMATCH;
	vault_state_key(v, key);
	enum state_auth a;
	if (!st->signed_text)
		a = STATE_AUTH_FRESH;   /* no file yet */
	else if (!st->mac)
		a = state_auth_fresh(st) ? STATE_AUTH_FRESH : STATE_AUTH_UNSIGNED;
	else
		a = state_auth_matches(key, st->signed_text, st->mac) ? STATE_AUTH_OK : STATE_AUTH_MISMATCH;
	/* An old state put back beside a newer vault (or none: a deleted state follows generation
	 * 0), told apart from a crash between the vault's save and the state's (one behind). */
	if ((a == STATE_AUTH_OK || a == STATE_AUTH_FRESH) && vault_generation(v) > st->vault_generation + 1)
		a = STATE_AUTH_OLD;
	if (a == STATE_AUTH_OK) {
		cJSON *was = state_auth_verified_copy(dir, key);
		if (was && state_auth_behind_copy(st, was))
			a = STATE_AUTH_OLD;
		cJSON_Delete(was);
	}
	if (a == STATE_AUTH_OK || a == STATE_AUTH_FRESH) {
		secmem_free(st->mac_key);
		st->mac_key = key;
		return a;
	}
	if (report && reportlen)
		state_auth_report(st, a, v, key, dir, report, reportlen);
	secmem_free(key);
	return a;
}
