/* core/model/state.h: state.json beside the vault: schema version, profile, the operator's
 * answers (never secrets), per step its status, times and the vault entries it produced (by
 * name only), and per action and per Azure resource what the engine needs to resume.
 * Written atomically (secrets/atomic.h). */
#ifndef SW_STATE_H
#define SW_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/model/plan.h"
#include "core/sys/profile.h"   /* STATE_FILE */

#define STATE_VERIFIED_FILE "state.json.verified"   /* the last state this program signed */
#define STATE_SCHEMA 3

#define STEP_STATUSES(X)       \
	X(STEP_PENDING, "pending") \
	X(STEP_RUNNING, "running") \
	X(STEP_DONE, "done")       \
	X(STEP_FAILED, "failed")

#define STATE_ENUM_(id, text) id,
typedef enum { STEP_STATUSES(STATE_ENUM_) STEP_STATUS_COUNT } step_status;
#undef STATE_ENUM_

const char *step_status_name(step_status s);
/* A step's or action's status as the operator is told it: a record still "running" while no
 * process works on the profile (killed, the terminal closed) says "interrupted"; a resume
 * picks it up as it is. */
const char *state_status_shown(const char *status, int working);

struct step_state {
	step_status status;
	int confirmed;     /* the operator confirmed this step's answers (schema 2) */
	int64_t started;   /* unix seconds, 0 = never */
	int64_t finished;
	int64_t updated;
	char *error;       /* set when failed */
	cJSON *secrets;    /* array of vault entry names */
};

struct state {
	int schema;
	char *profile;
	int64_t created;
	int64_t updated;
	uint64_t vault_generation;   /* mirrors the vault header's counter */
	cJSON *answers;              /* object, shaped like the answers file */
	struct step_state steps[PLAN_STEPS_MAX];   /* the first plan_step_count() used */
	char install_id[17];         /* random, tags what this install creates (schema 3) */
	/* Schema 3, read and written by core/engine/record.c:
	 * actions:   action key -> {status, started_ms, finished_ms, detail, error,
	 *            operation, op_method, op_path}
	 * resources: lower-case ARM id -> {step, action, intent_ms, ours, operation, method}
	 * outputs:   output key ("rabbitmq.public_ip") -> string */
	cJSON *actions;
	cJSON *resources;
	cJSON *outputs;
	/* Authentication (core/model/state_auth.c): the "mac" the file carried (NULL: none), the
	 * canonical text it covers (the document without "mac", as cJSON_Print writes it; NULL
	 * when there was no file), and once the vault is open the key that signs every save
	 * (protected memory, NULL until state_bind). */
	char *mac;
	char *signed_text;
	unsigned char *mac_key;
};

enum state_result {
	STATE_OK = 0,
	STATE_E_IO,       /* cannot read or write the file */
	STATE_E_PARSE,    /* not JSON or wrong shape: err names the field */
	STATE_E_NEWER,    /* schema newer than this program understands */
};

/* A missing file gives a fresh state for profile. */
enum state_result state_load(const char *dir, const char *profile, struct state **out,
                             char *err, size_t errlen);
/* With a key bound (state_bind) the file carries a MAC and state.json.verified gets the same
 * bytes. Without one it refuses to drop the MAC of a signed state (STATE_E_IO). */
enum state_result state_save(const char *dir, struct state *st, char *err, size_t errlen);
void state_free(struct state *st);

/* ---- authentication (core/model/state_auth.c) ---- */
enum state_auth {
	STATE_AUTH_OK,         /* its MAC matches */
	STATE_AUTH_FRESH,      /* no file, or no MAC on a state that records nothing yet */
	STATE_AUTH_UNSIGNED,   /* no MAC on a state that records steps, actions or outputs */
	STATE_AUTH_MISMATCH,   /* a MAC that does not match */
	STATE_AUTH_OLD,        /* a matching MAC, but more than one vault generation behind, or
	                        * behind state.json.verified (an older copy put back) */
};

struct vault;
/* Checks st as read against v's state key. OK and FRESH bind the key (later saves are signed);
 * UNSIGNED and MISMATCH leave st unbound and write into report, when given, what differs from
 * state.json.verified in dir (made safe for a terminal). */
enum state_auth state_verify(struct state *st, const struct vault *v, const char *dir, char *report,
                             size_t reportlen);
/* From now on saves are signed with v's key (after state_verify, an operator's acceptance,
 * a new vault, or a rekey). 0, or -1 out of protected memory. */
int state_bind(struct state *st, const struct vault *v);
/* dir/name read whole (malloc'd, NUL-terminated); NULL with err, *missing set when absent. */
char *state_read_text(const char *dir, const char *name, int *missing, char *err, size_t errlen);
/* 1 once the vault vouched for st (state_verify) or the operator took it (state_bind). */
int state_verified(const struct state *st);
/* The MAC (hex, malloc'd) of text under st's bound key; NULL without one (for state_save). */
char *state_sign(const struct state *st, const char *text);
/* For `status`, which has no passphrase: whether the file carries a MAC at all. */
const char *state_auth_unverified(const struct state *st);

/* Serialises without writing (for tests and `status --json`); caller frees. */
char *state_to_json(const struct state *st);
/* Brings a document of schema version up to STATE_SCHEMA in place (core/model/state_migrate.c).
 * 0, or -1 with err. */
int state_migrate(cJSON *root, int version, char *err, size_t errlen);
/* Parses (with migration of older schemas). */
enum state_result state_from_json(const char *text, const char *profile, struct state **out,
                                  char *err, size_t errlen);

/* Where the install resumes: the first step that is unconfirmed, running or failed, else
 * the first step that is not done; -1 when every step is done. */
int state_resume_step(const struct state *st);
void state_step_set(struct state *st, step_id s, step_status status, const char *error);
/* Answers: dotted key paths such as "rabbitmq.vm_size". The value is copied. */
int state_answer_set(struct state *st, const char *path, const char *value);
const char *state_answer_get(const struct state *st, const char *path);

#endif
