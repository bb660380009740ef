#include "core/model/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/sys/timeutil.h"
#include "secrets/atomic.h"
#include "secrets/secmem.h"

#define STATUS_NAME_(id, text) text,
static const char *status_names[] = {STEP_STATUSES(STATUS_NAME_)};
#undef STATUS_NAME_

const char *step_status_name(step_status s)
{
	return (unsigned)s < STEP_STATUS_COUNT ? status_names[s] : "?";
}

const char *state_status_shown(const char *status, int working)
{
	return !working && status && strcmp(status, step_status_name(STEP_RUNNING)) == 0 ? "interrupted" : status;
}

static int status_parse(const char *s)
{
	for (int i = 0; i < STEP_STATUS_COUNT; i++)
		if (strcmp(status_names[i], s) == 0)
			return i;
	return -1;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct state *state_new(const char *profile)
{
	struct state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->schema = STATE_SCHEMA;
	st->profile = strdup(profile);
	st->created = st->updated = (int64_t)time(NULL);
	st->answers = cJSON_CreateObject();
	st->actions = cJSON_CreateObject();
	st->resources = cJSON_CreateObject();
	st->outputs = cJSON_CreateObject();
	unsigned char rnd[8];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(st->install_id, sizeof st->install_id, rnd, sizeof rnd);
	int ok = st->profile && st->answers && st->actions && st->resources && st->outputs;
	for (int i = 0; (size_t)i < plan_step_count() && ok; i++) {
		st->steps[i].secrets = cJSON_CreateArray();
		ok = st->steps[i].secrets != NULL;
	}
	if (!ok) {
		state_free(st);
		return NULL;
	}
	return st;
}

void state_free(struct state *st)
{
	if (!st)
		return;
	free(st->profile);
	free(st->mac);
	free(st->signed_text);
	secmem_free(st->mac_key);
	cJSON_Delete(st->answers);
	cJSON_Delete(st->actions);
	cJSON_Delete(st->resources);
	cJSON_Delete(st->outputs);
	for (int i = 0; (size_t)i < plan_step_count(); i++) {
		free(st->steps[i].error);
		cJSON_Delete(st->steps[i].secrets);
	}
	free(st);
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	if (t <= 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char buf[TIME_ISO_LEN];
	time_iso(t, buf, sizeof buf);
	cJSON_AddStringToObject(o, key, buf);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *state_to_cjson(const struct state *st)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	cJSON_AddNumberToObject(root, "schema", st->schema);
	cJSON_AddStringToObject(root, "profile", st->profile);
	add_time(root, "created", st->created);
	add_time(root, "updated", st->updated);
	cJSON_AddStringToObject(root, "install_id", st->install_id);
	cJSON_AddNumberToObject(root, "vault_generation", (double)st->vault_generation);
	cJSON_AddItemToObject(root, "answers", cJSON_Duplicate(st->answers, 1));
	cJSON *steps = cJSON_AddArrayToObject(root, "steps");
	for (int i = 0; (size_t)i < plan_step_count(); i++) {
		const struct step_state *s = &st->steps[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "step", plan_step_key((step_id)i));
		cJSON_AddStringToObject(o, "status", step_status_name(s->status));
		cJSON_AddBoolToObject(o, "confirmed", s->confirmed);
		add_time(o, "started", s->started);
		add_time(o, "finished", s->finished);
		add_time(o, "updated", s->updated);
		add_str(o, "error", s->error);
		cJSON_AddItemToObject(o, "secrets", cJSON_Duplicate(s->secrets, 1));
		cJSON_AddItemToArray(steps, o);
	}
	cJSON_AddItemToObject(root, "actions", cJSON_Duplicate(st->actions, 1));
	cJSON_AddItemToObject(root, "resources", cJSON_Duplicate(st->resources, 1));
	cJSON_AddItemToObject(root, "outputs", cJSON_Duplicate(st->outputs, 1));
	return root;
}

char *state_to_json(const struct state *st)
{
	cJSON *root = state_to_cjson(st);
	char *text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	return text;
}

static int get_time(const cJSON *o, const char *key, int64_t *out, const char *where, char *err,
                    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || time_parse_iso(v->valuestring, out) != 0) {
		snprintf(err, errlen, "%s%s: not a time like 2026-01-31T12:00:00Z", where, key);
		return -1;
	}
	return 0;
}

static int get_opt_str(const cJSON *o, const char *key, char **out, const char *where, char *err,
                       size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		snprintf(err, errlen, "%s%s: must be a string or null", where, key);
		return -1;
	}
	*out = xstrdup(v->valuestring);
	return 0;
}

static int get_str_array(const cJSON *o, const char *key, cJSON **out, const char *where,
                         char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	const cJSON *it;
	int ok = cJSON_IsArray(v);
	cJSON_ArrayForEach(it, v) ok = ok && cJSON_IsString(it);
	if (!ok) {
		snprintf(err, errlen, "%s%s: must be an array of strings", where, key);
		return -1;
	}
	cJSON_Delete(*out);
	*out = cJSON_Duplicate(v, 1);
	return 0;
}

static enum state_result parse_step(struct state *st, const cJSON *o, int idx, char *err,
                                    size_t errlen)
{
	char where[64];
	snprintf(where, sizeof where, "steps[%d].", idx);
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "steps[%d]: must be an object", idx);
		return STATE_E_PARSE;
	}
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "step");
	int s = cJSON_IsString(name) ? plan_step_parse(name->valuestring) : -1;
	if (s < 0) {
		snprintf(err, errlen, "%sstep: unknown step", where);
		return STATE_E_PARSE;
	}
	struct step_state *ss = &st->steps[s];
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
	int stv = cJSON_IsString(status) ? status_parse(status->valuestring) : -1;
	if (stv < 0) {
		snprintf(err, errlen, "%sstatus: must be pending, running, done or failed", where);
		return STATE_E_PARSE;
	}
	ss->status = (step_status)stv;
	const cJSON *confirmed = cJSON_GetObjectItemCaseSensitive(o, "confirmed");
	if (confirmed && !cJSON_IsBool(confirmed)) {
		snprintf(err, errlen, "%sconfirmed: must be true or false", where);
		return STATE_E_PARSE;
	}
	ss->confirmed = cJSON_IsTrue(confirmed);
	free(ss->error);
	ss->error = NULL;
	if (get_time(o, "started", &ss->started, where, err, errlen) ||
	    get_time(o, "finished", &ss->finished, where, err, errlen) ||
	    get_time(o, "updated", &ss->updated, where, err, errlen) ||
	    get_opt_str(o, "error", &ss->error, where, err, errlen) ||
	    get_str_array(o, "secrets", &ss->secrets, where, err, errlen))
		return STATE_E_PARSE;
	return STATE_OK;
}

enum state_result state_from_json(const char *text, const char *profile, struct state **out,
                                  char *err, size_t errlen)
{
	*out = NULL;
	cJSON *root = cJSON_Parse(text);
	if (!root || !cJSON_IsObject(root)) {
		snprintf(err, errlen, "not a JSON object");
		cJSON_Delete(root);
		return STATE_E_PARSE;
	}
	enum state_result rc = STATE_OK;
	struct state *st = NULL;
	/* The MAC covers the document as written, before any migration. */
	cJSON *mac = cJSON_DetachItemFromObjectCaseSensitive(root, "mac");
	char *signed_text = cJSON_Print(root);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	/* Range first: casting a huge or NaN double to int is undefined. */
	if (!cJSON_IsNumber(schema) || !(schema->valuedouble >= 1 && schema->valuedouble <= 1000) ||
	    schema->valuedouble != (double)(int)schema->valuedouble) {
		snprintf(err, errlen, "schema: must be a positive whole number");
		rc = STATE_E_PARSE;
		goto out;
	}
	int version = schema->valueint;
	if (version > STATE_SCHEMA) {
		snprintf(err, errlen,
		         "schema %d is newer than this studio-wizard understands (%d); upgrade studio-wizard",
		         version, STATE_SCHEMA);
		rc = STATE_E_NEWER;
		goto out;
	}
	if (state_migrate(root, version, err, errlen) != 0) {
		rc = STATE_E_PARSE;
		goto out;
	}
	st = state_new(profile);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		rc = STATE_E_IO;
		goto out;
	}
	const cJSON *vg = cJSON_GetObjectItemCaseSensitive(root, "vault_generation");
	if (vg && (!cJSON_IsNumber(vg) || !(vg->valuedouble >= 0 && vg->valuedouble <= 9007199254740992.0) ||
	           vg->valuedouble != (double)(uint64_t)vg->valuedouble)) {
		snprintf(err, errlen, "vault_generation: must be a whole number from 0 to 2^53");
		rc = STATE_E_PARSE;
		goto out;
	}
	st->vault_generation = vg ? (uint64_t)vg->valuedouble : 0;
	if (get_time(root, "created", &st->created, "", err, errlen) ||
	    get_time(root, "updated", &st->updated, "", err, errlen)) {
		rc = STATE_E_PARSE;
		goto out;
	}
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(root, "answers");
	if (answers && !cJSON_IsNull(answers)) {
		if (!cJSON_IsObject(answers)) {
			snprintf(err, errlen, "answers: must be an object");
			rc = STATE_E_PARSE;
			goto out;
		}
		cJSON_Delete(st->answers);
		st->answers = cJSON_Duplicate(answers, 1);
	}
	const cJSON *iid = cJSON_GetObjectItemCaseSensitive(root, "install_id");
	if (iid && !(cJSON_IsString(iid) && strlen(iid->valuestring) == 16 &&
	             strspn(iid->valuestring, "0123456789abcdef") == 16)) {
		snprintf(err, errlen, "install_id: must be 16 lower-case hex digits");
		rc = STATE_E_PARSE;
		goto out;
	}
	if (iid)
		memcpy(st->install_id, iid->valuestring, 17);
	static const char *const maps[] = {"actions", "resources", "outputs"};
	cJSON **dst[] = {&st->actions, &st->resources, &st->outputs};
	for (size_t m = 0; m < 3; m++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, maps[m]);
		if (!v || cJSON_IsNull(v))
			continue;
		if (!cJSON_IsObject(v)) {
			snprintf(err, errlen, "%s: must be an object", maps[m]);
			rc = STATE_E_PARSE;
			goto out;
		}
		cJSON_Delete(*dst[m]);
		*dst[m] = cJSON_Duplicate(v, 1);
	}
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	if (steps && !cJSON_IsArray(steps)) {
		snprintf(err, errlen, "steps: must be an array");
		rc = STATE_E_PARSE;
		goto out;
	}
	int idx = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, steps)
	{
		if ((rc = parse_step(st, it, idx++, err, errlen)) != STATE_OK)
			goto out;
	}
	if (mac)
		st->mac = strdup(cJSON_IsString(mac) ? mac->valuestring : "");
	st->signed_text = signed_text;
	signed_text = NULL;
	if ((mac && !st->mac) || !st->signed_text) {
		snprintf(err, errlen, "out of memory");
		rc = STATE_E_IO;
	}
out:
	cJSON_Delete(root);
	cJSON_Delete(mac);
	free(signed_text);
	if (rc != STATE_OK) {
		state_free(st);
		return rc;
	}
	*out = st;
	return STATE_OK;
}

char *state_read_text(const char *dir, const char *name, int *missing, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*missing = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*missing = errno == ENOENT;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || sb.st_size > 64 * 1024 * 1024) {
		snprintf(err, errlen, "%s: unreadable or larger than 64 MiB", path);
		close(fd);
		return NULL;
	}
	size_t size = (size_t)sb.st_size, got = 0;
	char *text = malloc(size + 1);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while (got < size) {
		ssize_t n = read(fd, text + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	return text;
}

enum state_result state_load(const char *dir, const char *profile, struct state **out, char *err,
                             size_t errlen)
{
	*out = NULL;
	int missing;
	char *text = state_read_text(dir, STATE_FILE, &missing, err, errlen);
	if (!text && missing) {
		*out = state_new(profile);
		if (*out)
			return STATE_OK;
		snprintf(err, errlen, "%s/%s: out of memory", dir, STATE_FILE);
	}
	if (!text)
		return STATE_E_IO;
	char why[400];
	enum state_result rc = state_from_json(text, profile, out, why, sizeof why);
	free(text);
	if (rc != STATE_OK)
		snprintf(err, errlen, "%s/%s: %s", dir, STATE_FILE, why);
	return rc;
}

enum state_result state_save(const char *dir, struct state *st, char *err, size_t errlen)
{
	if (st->mac && !st->mac_key) {
		snprintf(err, errlen, "%s/%s: not written: it carries a MAC and the vault is not open to renew it", dir,
		         STATE_FILE);
		return STATE_E_IO;
	}
	st->updated = (int64_t)time(NULL);
	cJSON *root = state_to_cjson(st);
	char *body = root ? cJSON_Print(root) : NULL;
	char *mac = NULL, *text = NULL;
	if (body && st->mac_key && (mac = state_sign(st, body)))
		cJSON_AddStringToObject(root, "mac", mac);
	if (body && (!st->mac_key || mac))
		text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text) {
		free(body);
		free(mac);
		snprintf(err, errlen, "%s/%s: out of memory", dir, STATE_FILE);
		return STATE_E_IO;
	}
	size_t len = strlen(text);
	text[len] = '\n';   /* cJSON_Print leaves room for its NUL: reuse it for a final newline */
	struct iovec iov = {text, len + 1};
	int rc = atomic_write(dir, STATE_FILE, &iov, 1, err, errlen);
	if (rc == 0 && mac) {
		free(st->mac);
		free(st->signed_text);
		st->mac = mac;
		st->signed_text = body;
		mac = body = NULL;
		/* The copy only names what changed should state.json be edited; a crash before it
		 * is written leaves it one save behind, which the report still reads. */
		rc = atomic_write(dir, STATE_VERIFIED_FILE, &iov, 1, err, errlen);
	}
	free(text);
	free(mac);
	free(body);
	return rc == 0 ? STATE_OK : STATE_E_IO;
}

int state_resume_step(const struct state *st)
{
	/* A step that started and did not finish comes first; a confirmed step still waiting
	 * for its turn to run does not stop the questions of the steps after it. */
	for (int i = 0; (size_t)i < plan_step_count(); i++)
		if (!st->steps[i].confirmed || st->steps[i].status == STEP_RUNNING ||
		    st->steps[i].status == STEP_FAILED)
			return i;
	for (int i = 0; (size_t)i < plan_step_count(); i++)
		if (st->steps[i].status != STEP_DONE)
			return i;
	return -1;
}

void state_step_set(struct state *st, step_id s, step_status status, const char *error)
{
	struct step_state *ss = &st->steps[s];
	int64_t now = (int64_t)time(NULL);
	ss->status = status;
	ss->updated = now;
	if (status == STEP_RUNNING) {
		ss->started = now;
		ss->finished = 0;
	}
	if (status == STEP_DONE || status == STEP_FAILED)
		ss->finished = now;
	free(ss->error);
	ss->error = status == STEP_FAILED ? xstrdup(error) : NULL;
}

int state_answer_set(struct state *st, const char *path, const char *value)
{
	char buf[256];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -1;
	cJSON *node = st->answers;
	char *save = NULL;
	char *part = strtok_r(buf, ".", &save);
	while (part) {
		char *next = strtok_r(NULL, ".", &save);
		if (!next) {
			cJSON *v = cJSON_CreateString(value);
			if (!v)
				return -1;
			if (cJSON_GetObjectItemCaseSensitive(node, part))
				cJSON_ReplaceItemInObjectCaseSensitive(node, part, v);
			else
				cJSON_AddItemToObject(node, part, v);
			return 0;
		}
		cJSON *child = cJSON_GetObjectItemCaseSensitive(node, part);
		if (!child || !cJSON_IsObject(child)) {
			cJSON *o = cJSON_CreateObject();
			if (!o)
				return -1;
			if (child)
				cJSON_ReplaceItemInObjectCaseSensitive(node, part, o);
			else
				cJSON_AddItemToObject(node, part, o);
			child = o;
		}
		node = child;
		part = next;
	}
	return -1;
}

const char *state_answer_get(const struct state *st, const char *path)
{
	char buf[256];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return NULL;
	const cJSON *node = st->answers;
	char *save = NULL;
	for (char *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		node = cJSON_GetObjectItemCaseSensitive(node, part);
		if (!node)
			return NULL;
	}
	return cJSON_IsString(node) ? node->valuestring : NULL;
}
