/* The command line: option parsing, the command table and dispatch (vault commands:
 * vault_cmd.c). */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model/plan.h"
#include "core/steps/steps.h"
#include "front/session.h"
#include "core/sys/exitcode.h"
#include "cli/export.h"
#include "cli/plan.h"
#include "cli/status.h"
#include "cli/run.h"
#include "cli/vault_cmd.h"

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
	      "KIND: password access-key ssh-key token kubeconfig client-secret other\n",
	      f);
	fprintf(f, "STEP: %s\n", plan_step_list());
	fputs("Azure: --cloud FILE (endpoints as `az cloud show` prints them), --ca-file FILE\n"
	      "(a private CA's PEM bundle) for the wizard and run.\n"
	      "The passphrase is read from the terminal, or from the first line of fd N with\n"
	      "--passphrase-fd N (rekey reads the new one from the second line).\n"
	      "--accept-state takes a state.json changed outside studio-wizard as it is now.\n"
	      "Exit: 0 ok, 1 error, 2 usage, 3 wrong passphrase, 4 vault damaged, 5 profile in use,\n"
	      "      6 no such entry, 7 file from a newer studio-wizard, 8 state not verified.\n",
	      f);
}

/* ---- option parsing ---- */

/* getopt_long: long options only, anywhere on the line ("-" in the optstring keeps
 * every word in place and in order, whatever POSIXLY_CORRECT says); "--" ends them. */
enum { OPT_VERSION = 256, OPT_HELP, OPT_ACCEPT_OLD_VAULT, OPT_ACCEPT_STATE, OPT_JSON, OPT_PASSPHRASE_FD, OPT_STR_BASE };

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
	struct option longopts[NOPTSTRS + 7];
	size_t n = 0;
	longopts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	longopts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	longopts[n++] = (struct option){"accept-old-vault", no_argument, NULL, OPT_ACCEPT_OLD_VAULT};
	longopts[n++] = (struct option){"accept-state", no_argument, NULL, OPT_ACCEPT_STATE};
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
		case OPT_ACCEPT_STATE:
			o->accept_state = 1;
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


static int cmd_status(struct ctx *c)
{
	if (cli_need_args(c, 1, "status"))
		return SW_EXIT_USAGE;
	return status_print(steps_table(), c->p, c->st, stdout);
}

static int cmd_plan(struct ctx *c)
{
	if (cli_need_args(c, 1, "plan --answers FILE"))
		return SW_EXIT_USAGE;
	if (!c->o->answers) {
		cli_fail("plan: --answers FILE is required");
		return SW_EXIT_USAGE;
	}
	if (c->o->cloud_file) {
		/* Answers the wizard wrote under --cloud FILE name that file's cloud. */
		struct cloud cl;
		char err[1024];
		if (cloud_load_file(c->o->cloud_file, &cl, err, sizeof err) != 0) {
			cli_fail("%s", err);
			return SW_EXIT_USAGE;
		}
		plan_set_extra_cloud(cl.name);
	}
	return plan_cmd(steps_table(), c->o->answers, c->o->json, stdout, stderr);
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
	{"vault", "init", vault_cmd_init, 1, 0},     {"vault", "list", vault_cmd_list, 0, 0},
	{"vault", "get", vault_cmd_get, 0, 0},       {"vault", "set", vault_cmd_set, 1, 0},
	{"vault", "rm", vault_cmd_rm, 1, 0},         {"vault", "rekey", vault_cmd_rekey, 1, 0},
	{"vault", "export", vault_cmd_export, 0, 0}, {"status", NULL, cmd_status, 0, 0},
	{"plan", NULL, cmd_plan, 0, 1},
	{"run", NULL, cmd_run, 1, 0},
	{"export", NULL, cmd_export, 0, 0},
};

int cli_main(int argc, char **argv, cli_ui_fn ui)
{
	struct cli_opts o;
	char err[CLI_ERRLEN];
	if (parse_opts(argc, argv, &o) != 0)
		return SW_EXIT_USAGE;
	if (o.until && plan_step_parse(o.until) < 0) {
		cli_fail("--until: unknown step '%s' (%s)", o.until, plan_step_list());
		return SW_EXIT_USAGE;
	}
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
