#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model/session.h"
#include "core/sys/exitcode.h"
#include "cli/export.h"
#include "cli/plan.h"
#include "cli/status.h"
#include "cli/run.h"
#include "core/sys/secret_input.h"
#include "core/sys/text.h"
#include "core/sys/timeutil.h"
#include "secrets/secmem.h"
#include "secrets/vault.h"

#define ERRLEN 1024
#define PASSPHRASE_MIN 8

void cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("studio-wizard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_usage(FILE *f)
{
	fputs("usage: studio-wizard [--profile NAME] [--state-dir DIR] [--passphrase-fd N] [COMMAND]\n"
	      "\n"
	      "With no command, starts the wizard (resuming an unfinished install).\n"
	      "\n"
	      "  vault init [--kdf interactive|moderate|sensitive]   create the sealed vault\n"
	      "  vault list                      name, kind, step, updated (never values)\n"
	      "  vault get NAME                  the value alone on stdout\n"
	      "  vault set NAME [--kind KIND] [--step STEP]   value read from stdin\n"
	      "  vault rm NAME\n"
	      "  vault rekey [--kdf interactive|moderate|sensitive]   new passphrase\n"
	      "  vault export --format env|json  every entry, in clear text\n"
	      "  status                          each step's status and where to resume\n"
	      "  plan --answers FILE [--json]    the ordered actions for an answers file\n"
	      "  run --answers FILE [--until STEP]   the install without a screen\n"
	      "  export experimenter [--out FILE]   the studioml client config (secrets, 0600)\n"
	      "  --answers FILE (no command)     the wizard, preloaded with FILE's answers\n"
	      "\n"
	      "KIND: password access-key ssh-key token kubeconfig client-secret other\n"
	      "Azure: --cloud FILE (endpoints as `az cloud show` prints them), --ca-file FILE\n"
	      "(a private CA's PEM bundle) for the wizard and run.\n"
	      "The passphrase is read from the terminal, or from the first line of fd N with\n"
	      "--passphrase-fd N (rekey reads the new one from the second line).\n"
	      "Exit: 0 ok, 1 error, 2 usage, 3 wrong passphrase, 4 vault damaged, 5 profile in use,\n"
	      "      6 no such entry, 7 file from a newer studio-wizard.\n",
	      f);
}

/* ---- option parsing ---- */

/* getopt_long: long options only, anywhere on the line ("-" in the optstring keeps
 * every word in place and in order, whatever POSIXLY_CORRECT says); "--" ends them. */
enum { OPT_VERSION = 256, OPT_HELP, OPT_ACCEPT_OLD_VAULT, OPT_JSON, OPT_PASSPHRASE_FD, OPT_STR_BASE };

#define OPT_STR(n, field) {n, offsetof(struct cli_opts, field)}
static const struct {
	const char *name;
	size_t offset;   /* into struct cli_opts */
} optstrs[] = {
	OPT_STR("profile", profile), OPT_STR("state-dir", state_dir), OPT_STR("kind", kind),
	OPT_STR("kdf", kdf),         OPT_STR("format", format),       OPT_STR("step", step),
	OPT_STR("answers", answers), OPT_STR("cloud", cloud_file), OPT_STR("ca-file", ca_file),
	OPT_STR("until", until),     OPT_STR("out", out),
};
#define NOPTSTRS (sizeof optstrs / sizeof optstrs[0])

/* The word that holds the option getopt_long just returned, and its name's length. */
static const char *opt_word(int argc, char **argv, int code, size_t *nlen)
{
	const char *w = argv[optind - 1];
	/* A value in the next word: the option is the word before it. */
	if (code >= OPT_PASSPHRASE_FD && optarg == w && optind >= 2)
		w = argv[optind - 2];
	(void)argc;
	const char *name = w[0] == '-' && w[1] == '-' ? w + 2 : w;
	*nlen = strcspn(name, "=");
	return name;
}

static int parse_opts(int argc, char **argv, struct cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->pass_fd = -1;
	struct option longopts[NOPTSTRS + 6];
	size_t n = 0;
	longopts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	longopts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	longopts[n++] = (struct option){"accept-old-vault", no_argument, NULL, OPT_ACCEPT_OLD_VAULT};
	longopts[n++] = (struct option){"json", no_argument, NULL, OPT_JSON};
	longopts[n++] = (struct option){"passphrase-fd", required_argument, NULL, OPT_PASSPHRASE_FD};
	for (size_t k = 0; k < NOPTSTRS; k++)
		longopts[n++] = (struct option){optstrs[k].name, required_argument, NULL, OPT_STR_BASE + (int)k};
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	optind = 0;   /* a full restart of getopt's state */
	opterr = 0;   /* our messages, not getopt's */
	int c, idx;
	while ((c = getopt_long(argc, argv, "-:", longopts, &idx)) != -1) {
		size_t nlen;
		if (c == 1) {   /* a word that is not an option, in its place */
			if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0])) {
				cli_fail("too many arguments");
				return -1;
			}
			o->pos[o->npos++] = optarg;
			continue;
		}
		if (c == '?' && optopt) {   /* a short option: there are none */
			const char *w = optind < argc && argv[optind][0] == '-' && argv[optind][1] == optopt
			                ? argv[optind] : argv[optind - 1];
			cli_fail("unknown option '%s' (see --help)", w);
			return -1;
		}
		const char *name = opt_word(argc, argv, c, &nlen);
		/* Unknown, ambiguous, or a prefix getopt_long would accept ("--prof"): exact names only. */
		if (c == '?' || (c != ':' && strlen(longopts[idx].name) != nlen)) {
			cli_fail("unknown option '--%.*s' (see --help)", (int)nlen, name);
			return -1;
		}
		if (c == ':') {
			int known = 0;
			for (size_t k = 0; k < n; k++)
				known |= strlen(longopts[k].name) == nlen && strncmp(longopts[k].name, name, nlen) == 0;
			if (!known)
				cli_fail("unknown option '--%.*s' (see --help)", (int)nlen, name);
			else
				cli_fail("--%.*s needs a value", (int)nlen, name);
			return -1;
		}
		switch (c) {
		case OPT_VERSION:
			printf("studio-wizard %s\n", SW_VERSION);
			exit(SW_EXIT_OK);
		case OPT_HELP:
			cli_usage(stdout);
			exit(SW_EXIT_OK);
		case OPT_ACCEPT_OLD_VAULT:
			o->accept_old_vault = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_PASSPHRASE_FD: {
			char *end;
			errno = 0;
			long fd = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || fd < 0 || fd > 1024) {
				cli_fail("--passphrase-fd: must be a file descriptor number, got '%s'", optarg);
				return -1;
			}
			o->pass_fd = (int)fd;
			break;
		}
		default:
			*(const char **)((char *)o + optstrs[c - OPT_STR_BASE].offset) = optarg;
			break;
		}
	}
	/* After "--": every word is an argument. */
	for (; optind < argc; optind++) {
		if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0])) {
			cli_fail("too many arguments");
			return -1;
		}
		o->pos[o->npos++] = argv[optind];
	}
	return 0;
}

/* ---- passphrases and the vault ---- */

static int read_passphrase(struct cli_opts *o, const char *prompt, char **pass, size_t *len)
{
	char err[ERRLEN];
	int rc = o->pass_fd >= 0 ? secret_read_line_fd(o->pass_fd, pass, len, err, sizeof err)
	                         : secret_read_tty(prompt, pass, len, err, sizeof err);
	if (rc != 0) {
		cli_fail("%s", err);
		return -1;
	}
	return 0;
}

/* A new passphrase: from the terminal twice, or the next line of the fd. */
static int read_new_passphrase(struct cli_opts *o, char **pass, size_t *len)
{
	if (read_passphrase(o, "New vault passphrase: ", pass, len) != 0)
		return -1;
	if (*len < PASSPHRASE_MIN) {
		cli_fail("passphrase: must be at least %d characters", PASSPHRASE_MIN);
		secmem_free(*pass);
		return -1;
	}
	if (o->pass_fd >= 0)
		return 0;
	char *again = NULL;
	size_t again_len = 0;
	if (read_passphrase(o, "Repeat the passphrase: ", &again, &again_len) != 0) {
		secmem_free(*pass);
		return -1;
	}
	int same = again_len == *len && secmem_equal(again, *pass, *len);
	secmem_free(again);
	if (!same) {
		cli_fail("passphrase: the two entries differ; nothing was changed");
		secmem_free(*pass);
		return -1;
	}
	return 0;
}

static int exit_for(vault_status st)
{
	return session_exit_code(st);
}

/* The options the wizard and `run` share. */
static struct session_options cli_session(const struct cli_opts *o)
{
	return (struct session_options){o->answers, o->cloud_file, o->ca_file, o->pass_fd, o->accept_old_vault};
}

int cli_vault_open(struct cli_opts *o, struct profile *p, struct state *st, int for_write,
                   struct vault **out)
{
	char err[ERRLEN];
	uint64_t gen = 0;
	/* Header problems are reported before asking for a passphrase. */
	vault_status vs = vault_peek(p->dir, &gen, NULL, err, sizeof err);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return exit_for(vs);
	}
	struct session_options so = cli_session(o);
	int refused = session_check_generation(&so, st, gen, for_write, err, sizeof err);
	if (*err)
		cli_fail("%s", err);
	if (refused)
		return SW_EXIT_ERROR;
	char *pass = NULL;
	size_t plen = 0;
	if (read_passphrase(o, "Vault passphrase: ", &pass, &plen) != 0)
		return SW_EXIT_ERROR;
	vs = vault_open(p->dir, pass, plen, out, err, sizeof err);
	secmem_free(pass);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return exit_for(vs);
	}
	return SW_EXIT_OK;
}

/* After a vault write the state mirrors its generation. */
static int mirror_generation(struct profile *p, struct state *st, const vault *v)
{
	char err[ERRLEN];
	st->vault_generation = vault_generation(v);
	if (state_save(p->dir, st, err, sizeof err) != STATE_OK) {
		cli_fail("%s", err);
		return SW_EXIT_ERROR;
	}
	return SW_EXIT_OK;
}

/* ---- secure output: values go from protected memory to fd 1 without stdio buffers ---- */

struct sout {
	unsigned char *buf;
	size_t len;
	int failed;
};
#define SOUT_CAP 65536

static void sout_flush(struct sout *s)
{
	size_t off = 0;
	while (off < s->len && !s->failed) {
		ssize_t n = write(STDOUT_FILENO, s->buf + off, s->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			s->failed = 1;
		else
			off += (size_t)n;
	}
	secmem_wipe(s->buf, s->len);
	s->len = 0;
}

static void sout_put(struct sout *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len) {
		if (s->len == SOUT_CAP)
			sout_flush(s);
		size_t n = SOUT_CAP - s->len < len ? SOUT_CAP - s->len : len;
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		p += n;
		len -= n;
	}
}

static void sout_str(struct sout *s, const char *str)
{
	sout_put(s, str, strlen(str));
}

static int utf8_clean(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (c == 0 || k == 9 || (k == 1 && c < 0xc2) || i + k >= n + (k ? 0 : 1))
			return 0;
		for (size_t j = 1; j <= k; j++)
			if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

static void sout_json_string(struct sout *s, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sout_str(s, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		char esc[7];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sout_put(s, esc, 2);
		} else if (c < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			sout_put(s, esc, 6);
		} else {
			sout_put(s, &c, 1);
		}
	}
	sout_str(s, "\"");
	secmem_wipe(&n, sizeof n);
}

/* libsodium's encoder, a chunk at a time (a multiple of 3 bytes, so '=' only at the end). */
static void sout_base64(struct sout *s, const unsigned char *p, size_t n)
{
	enum { CHUNK = 3 * 1024 };
	const size_t enclen = sodium_base64_ENCODED_LEN(CHUNK, sodium_base64_VARIANT_ORIGINAL);
	/* The encoded text is the secret in another alphabet: guarded memory, wiped on free. */
	char *enc = secmem_alloc(enclen);
	if (!enc) {
		s->failed = 1;
		return;
	}
	for (size_t i = 0; i < n; i += CHUNK) {
		size_t take = n - i < CHUNK ? n - i : CHUNK;
		sodium_bin2base64(enc, enclen, p + i, take, sodium_base64_VARIANT_ORIGINAL);
		sout_put(s, enc, strlen(enc));
	}
	secmem_free(enc);
}

/* ---- commands ---- */

struct ctx {
	struct cli_opts *o;
	struct profile *p;
	struct state *st;
};

static int need_args(struct ctx *c, int want, const char *usage)
{
	if (c->o->npos != want) {
		cli_fail("usage: studio-wizard %s", usage);
		return -1;
	}
	return 0;
}

static int cmd_vault_init(struct ctx *c)
{
	if (need_args(c, 2, "vault init [--kdf interactive|moderate|sensitive]"))
		return SW_EXIT_USAGE;
	vault_strength s = VAULT_KDF_DEFAULT;
	if (c->o->kdf && vault_strength_parse(c->o->kdf, &s) != 0) {
		cli_fail("--kdf: must be interactive, moderate or sensitive");
		return SW_EXIT_USAGE;
	}
	char err[ERRLEN];
	if (vault_exists(c->p->dir)) {
		cli_fail("%s/%s: a vault already exists; refusing to replace it", c->p->dir, VAULT_FILE);
		return SW_EXIT_ERROR;
	}
	char *pass = NULL;
	size_t plen = 0;
	if (read_new_passphrase(c->o, &pass, &plen) != 0)
		return SW_EXIT_ERROR;
	vault *v = NULL;
	vault_status vs = vault_create(c->p->dir, pass, plen, s, &v, err, sizeof err);
	secmem_free(pass);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		return exit_for(vs);
	}
	if (c->st->vault_generation > vault_generation(v))
		cli_fail("note: the state referred to an earlier vault (generation %llu); it now follows "
		     "this new one",
		     (unsigned long long)c->st->vault_generation);
	int rc = mirror_generation(c->p, c->st, v);
	if (rc == SW_EXIT_OK)
		fprintf(stderr, "studio-wizard: created %s (%s key derivation)\n", vault_path(v),
		        vault_strength_name(s));
	vault_close(v);
	return rc;
}

static int cmd_vault_list(struct ctx *c)
{
	if (need_args(c, 2, "vault list"))
		return SW_EXIT_USAGE;
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 0, &v);
	if (rc)
		return rc;
	printf("%-40s %-14s %-14s %s\n", "NAME", "KIND", "STEP", "UPDATED");
	for (size_t i = 0; i < vault_count(v); i++) {
		struct vault_entry_info e;
		vault_entry_at(v, i, &e);
		char when[TIME_ISO_LEN];
		time_iso(e.updated, when, sizeof when);
		printf("%-40s %-14s %-14s %s\n", e.name, vault_kind_name(e.kind), e.step, when);
	}
	vault_close(v);
	return fflush(stdout) == 0 ? SW_EXIT_OK : SW_EXIT_ERROR;
}

static int cmd_vault_get(struct ctx *c)
{
	if (need_args(c, 3, "vault get NAME"))
		return SW_EXIT_USAGE;
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 0, &v);
	if (rc)
		return rc;
	const unsigned char *val;
	size_t len;
	if (vault_get(v, c->o->pos[2], &val, &len, NULL) != VAULT_OK) {
		cli_fail("%s: no such entry in %s", c->o->pos[2], vault_path(v));
		vault_close(v);
		return SW_EXIT_NOENT;
	}
	struct sout s = {secmem_alloc(SOUT_CAP), 0, 0};
	if (!s.buf) {
		vault_close(v);
		cli_fail("out of protected memory");
		return SW_EXIT_ERROR;
	}
	sout_put(&s, val, len);
	sout_flush(&s);
	secmem_free(s.buf);
	vault_close(v);
	if (s.failed) {
		cli_fail("standard output: write failed");
		return SW_EXIT_ERROR;
	}
	return SW_EXIT_OK;
}

static int cmd_vault_set(struct ctx *c)
{
	if (need_args(c, 3, "vault set NAME [--kind KIND] [--step STEP]"))
		return SW_EXIT_USAGE;
	const char *name = c->o->pos[2];
	char why[256];
	if (vault_name_valid(name, why, sizeof why) != 0) {
		cli_fail("%s", why);
		return SW_EXIT_USAGE;
	}
	vault_kind kind = VAULT_KIND_OTHER;
	if (c->o->kind && vault_kind_parse(c->o->kind, &kind) != 0) {
		cli_fail("--kind: must be one of password, access-key, ssh-key, token, kubeconfig, "
		     "client-secret, other");
		return SW_EXIT_USAGE;
	}
	const char *step = c->o->step ? c->o->step : "manual";
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 1, &v);
	if (rc)
		return rc;
	char err[ERRLEN];
	unsigned char *val = NULL;
	size_t len = 0;
	int got;
	if (isatty(STDIN_FILENO)) {
		char prompt[200];
		snprintf(prompt, sizeof prompt, "Value for %s (not shown): ", name);
		char *line = NULL;
		got = secret_read_tty(prompt, &line, &len, err, sizeof err);
		val = (unsigned char *)line;
	} else {
		got = secret_read_all_fd(STDIN_FILENO, VAULT_VALUE_MAX, &val, &len, err, sizeof err);
	}
	if (got != 0) {
		cli_fail("%s", err);
		vault_close(v);
		return SW_EXIT_ERROR;
	}
	vault_status vs = vault_put(v, name, kind, step, val, len);
	secmem_free(val);
	if (vs == VAULT_E_INVALID) {
		cli_fail("--step: 1-64 of a-z 0-9 - _");
		vault_close(v);
		return SW_EXIT_USAGE;
	}
	if (vs == VAULT_OK)
		vs = vault_save(v, err, sizeof err);
	if (vs != VAULT_OK) {
		if (vs != VAULT_E_IO)
			snprintf(err, sizeof err, "%s: %s", vault_path(v), vault_status_text(vs));
		cli_fail("%s", err);
		vault_close(v);
		return exit_for(vs);
	}
	rc = mirror_generation(c->p, c->st, v);
	vault_close(v);
	return rc;
}

static int cmd_vault_rm(struct ctx *c)
{
	if (need_args(c, 3, "vault rm NAME"))
		return SW_EXIT_USAGE;
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 1, &v);
	if (rc)
		return rc;
	char err[ERRLEN];
	if (vault_remove(v, c->o->pos[2]) != VAULT_OK) {
		cli_fail("%s: no such entry in %s", c->o->pos[2], vault_path(v));
		vault_close(v);
		return SW_EXIT_NOENT;
	}
	vault_status vs = vault_save(v, err, sizeof err);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		vault_close(v);
		return exit_for(vs);
	}
	rc = mirror_generation(c->p, c->st, v);
	vault_close(v);
	return rc;
}

static int cmd_vault_rekey(struct ctx *c)
{
	if (need_args(c, 2, "vault rekey [--kdf interactive|moderate|sensitive]"))
		return SW_EXIT_USAGE;
	vault *v = NULL;
	vault_strength s = VAULT_KDF_DEFAULT;
	if (c->o->kdf && vault_strength_parse(c->o->kdf, &s) != 0) {
		cli_fail("--kdf: must be interactive, moderate or sensitive");
		return SW_EXIT_USAGE;
	}
	int rc = cli_vault_open(c->o, c->p, c->st, 1, &v);
	if (rc)
		return rc;
	if (!c->o->kdf)
		s = vault_strength_of(v);
	char *pass = NULL;
	size_t plen = 0;
	if (read_new_passphrase(c->o, &pass, &plen) != 0) {
		vault_close(v);
		return SW_EXIT_ERROR;
	}
	char err[ERRLEN];
	vault_status vs = vault_rekey(v, pass, plen, s, err, sizeof err);
	secmem_free(pass);
	if (vs != VAULT_OK) {
		cli_fail("%s", err);
		vault_close(v);
		return exit_for(vs);
	}
	rc = mirror_generation(c->p, c->st, v);
	if (rc == SW_EXIT_OK)
		fprintf(stderr, "studio-wizard: %s now opens with the new passphrase (%s)\n",
		        vault_path(v), vault_strength_name(s));
	vault_close(v);
	return rc;
}

/* NAME -> NAME_WITH_UNDERSCORES in upper case, a valid shell variable name. */
static void env_name(const char *name, char *out, size_t outlen)
{
	size_t i = 0;
	if ((name[0] >= '0' && name[0] <= '9') && outlen > 2)
		out[i++] = '_';
	for (; *name && i + 1 < outlen; name++) {
		char ch = *name;
		out[i++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : (ch == '.' || ch == '-') ? '_' : ch;
	}
	out[i] = '\0';
}

static int cmd_vault_export(struct ctx *c)
{
	if (need_args(c, 2, "vault export --format env|json"))
		return SW_EXIT_USAGE;
	const char *fmt = c->o->format;
	if (!fmt || (strcmp(fmt, "env") != 0 && strcmp(fmt, "json") != 0)) {
		cli_fail("--format: must be env or json");
		return SW_EXIT_USAGE;
	}
	int json = strcmp(fmt, "json") == 0;
	vault *v = NULL;
	int rc = cli_vault_open(c->o, c->p, c->st, 0, &v);
	if (rc)
		return rc;
	cli_fail("warning: printing %zu secret%s in clear text", vault_count(v),
	     vault_count(v) == 1 ? "" : "s");
	struct sout s = {secmem_alloc(SOUT_CAP), 0, 0};
	if (!s.buf) {
		vault_close(v);
		cli_fail("out of protected memory");
		return SW_EXIT_ERROR;
	}
	int skipped = 0;
	if (json)
		sout_str(&s, "{\"entries\": [");
	for (size_t i = 0; i < vault_count(v); i++) {
		struct vault_entry_info e;
		const unsigned char *val;
		size_t len;
		vault_entry_at(v, i, &e);
		vault_get(v, e.name, &val, &len, NULL);
		if (json) {
			char meta[512], cr[TIME_ISO_LEN], up[TIME_ISO_LEN];
			time_iso(e.created, cr, sizeof cr);
			time_iso(e.updated, up, sizeof up);
			snprintf(meta, sizeof meta,
			         "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"step\": \"%s\", "
			         "\"created\": \"%s\", \"updated\": \"%s\", ",
			         i ? "," : "", e.name, vault_kind_name(e.kind), e.step, cr, up);
			sout_str(&s, meta);
			if (utf8_clean(val, len)) {
				sout_str(&s, "\"value\": ");
				sout_json_string(&s, val, len);
			} else {
				sout_str(&s, "\"value_base64\": \"");
				sout_base64(&s, val, len);
				sout_str(&s, "\"");
			}
			sout_str(&s, "}");
		} else {
			if (memchr(val, '\0', len)) {
				cli_fail("%s: holds NUL bytes, which a shell variable cannot; left out (use "
				     "--format json)",
				     e.name);
				skipped++;
				continue;
			}
			char var[VAULT_NAME_MAX + 2];
			env_name(e.name, var, sizeof var);
			sout_str(&s, var);
			sout_str(&s, "='");
			for (size_t k = 0; k < len; k++) {
				if (val[k] == '\'')
					sout_str(&s, "'\\''");
				else
					sout_put(&s, &val[k], 1);
			}
			sout_str(&s, "'\n");
		}
	}
	if (json)
		sout_str(&s, "\n]}\n");
	sout_flush(&s);
	secmem_free(s.buf);
	vault_close(v);
	if (s.failed) {
		cli_fail("standard output: write failed");
		return SW_EXIT_ERROR;
	}
	return skipped ? SW_EXIT_ERROR : SW_EXIT_OK;
}

static int cmd_status(struct ctx *c)
{
	if (need_args(c, 1, "status"))
		return SW_EXIT_USAGE;
	return status_print(c->p, c->st, stdout);
}

static int cmd_plan(struct ctx *c)
{
	if (need_args(c, 1, "plan --answers FILE"))
		return SW_EXIT_USAGE;
	if (!c->o->answers) {
		cli_fail("plan: --answers FILE is required");
		return SW_EXIT_USAGE;
	}
	return plan_cmd(c->o->answers, c->o->json, stdout, stderr);
}

static int cmd_run(struct ctx *c) { return run_main(c->o, c->p, c->st); }
static int cmd_export(struct ctx *c) { return export_main(c->o, c->p, c->st); }

struct command {
	const char *w1, *w2;
	int (*run)(struct ctx *c);
	int writes;      /* takes the profile lock */
	int no_profile;  /* works on its arguments alone */
};

static const struct command commands[] = {
	{"vault", "init", cmd_vault_init, 1, 0},     {"vault", "list", cmd_vault_list, 0, 0},
	{"vault", "get", cmd_vault_get, 0, 0},       {"vault", "set", cmd_vault_set, 1, 0},
	{"vault", "rm", cmd_vault_rm, 1, 0},         {"vault", "rekey", cmd_vault_rekey, 1, 0},
	{"vault", "export", cmd_vault_export, 0, 0}, {"status", NULL, cmd_status, 0, 0},
	{"plan", NULL, cmd_plan, 0, 1},
	{"run", NULL, cmd_run, 1, 0},
	{"export", NULL, cmd_export, 0, 0},
};

int cli_main(int argc, char **argv, cli_ui_fn ui)
{
	struct cli_opts o;
	if (parse_opts(argc, argv, &o) != 0)
		return SW_EXIT_USAGE;
	const struct command *cmd = NULL;
	if (o.npos > 0) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
			const struct command *k = &commands[i];
			if (strcmp(o.pos[0], k->w1) == 0 &&
			    (!k->w2 || (o.npos > 1 && strcmp(o.pos[1], k->w2) == 0)))
				cmd = k;
		}
		if (!cmd) {
			cli_fail("unknown command '%s%s%s' (see --help)", o.pos[0], o.npos > 1 ? " " : "",
			     o.npos > 1 ? o.pos[1] : "");
			return SW_EXIT_USAGE;
		}
	}
	char err[ERRLEN];
	struct profile p;
	if (profile_resolve(&p, o.profile ? o.profile : PROFILE_DEFAULT, o.state_dir, err,
	                    sizeof err) != 0) {
		cli_fail("%s", err);
		return SW_EXIT_USAGE;
	}
	if (cmd && cmd->no_profile) {
		struct ctx c = {&o, &p, NULL};
		return cmd->run(&c);
	}
	if (!cmd && !ui) {
		cli_usage(stderr);
		return SW_EXIT_USAGE;
	}
	if (profile_prepare(&p, err, sizeof err) != 0) {
		cli_fail("%s", err);
		return SW_EXIT_ERROR;
	}
	/* The wizard and every writer hold the lock for their whole run. */
	if (!cmd || cmd->writes) {
		int busy = 0;
		if (profile_lock(&p, &busy, err, sizeof err) != 0) {
			cli_fail("%s", err);
			return busy ? SW_EXIT_IN_USE : SW_EXIT_ERROR;
		}
	}
	if (!cmd) {
		struct session_options so = cli_session(&o);
		int rc = ui(&so, &p);
		profile_unlock(&p);
		return rc;
	}
	struct state *st = NULL;
	enum state_result sr = state_load(p.dir, p.name, &st, err, sizeof err);
	if (sr != STATE_OK) {
		cli_fail("%s", err);
		profile_unlock(&p);
		return sr == STATE_E_NEWER ? SW_EXIT_NEWER : SW_EXIT_ERROR;
	}
	struct ctx c = {&o, &p, st};
	int rc = cmd->run(&c);
	state_free(st);
	profile_unlock(&p);
	return rc;
}
