/* F4 on the runner image (acr.image): the tags the source registry has for the image's
 * repository (core/registry/hub.c, the same calls the acr step's preflight makes), each
 * marked with whether the runner release it holds can use the chosen GPU size, as the GPU
 * list marks its sizes. The list is fetched while a line says so; Esc cancels it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http/http.h"
#include "core/model/runner.h"
#include "core/registry/hub.h"
#include "core/sys/text.h"
#include "screens/screen.h"
#include "tui/widgets.h"

#define TAGS_MAX 200

struct image_tags {
	struct plan_choice *choices;
	char **values, **details;
	size_t n;
};

struct fetch {
	struct hub_op *op;
	const char *what;            /* "leafai/azure-studio-go-runner at docker.io" */
	int done;
	char error[512];
	char **tags;
	size_t ntags;
	struct tui_source src;
};

/* Releases newest first (registries list tags by name: 0.9.21 after 0.14.2), then the tags
 * that name no release (latest, ...) by name. */
static int tag_newer(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	char ia[200], ib[200];
	struct runner_version va, vb;
	snprintf(ia, sizeof ia, "x:%s", a);
	snprintf(ib, sizeof ib, "x:%s", b);
	int ka = runner_version_of(ia, &va, NULL, 0) == 0, kb = runner_version_of(ib, &vb, NULL, 0) == 0;
	if (ka != kb)
		return kb - ka;
	if (ka && (va.major != vb.major || va.minor != vb.minor || va.patch != vb.patch))
		return va.major != vb.major ? vb.major - va.major : va.minor != vb.minor ? vb.minor - va.minor
		                                                                         : vb.patch - va.patch;
	return strcmp(b, a);
}

static void fetch_done(const struct hub_result *r, void *arg)
{
	struct fetch *f = arg;
	f->op = NULL;
	f->done = 1;
	if (r->error) {
		text_safe(r->error, f->error, sizeof f->error);
		return;
	}
	f->tags = calloc(r->ntags ? r->ntags : 1, sizeof *f->tags);
	for (size_t i = 0; f->tags && i < r->ntags && f->ntags < TAGS_MAX; i++) {
		char safe[160];
		text_safe(r->tags[i], safe, sizeof safe);
		if ((f->tags[f->ntags] = strdup(safe)) != NULL)
			f->ntags++;
	}
	if (!f->tags)
		snprintf(f->error, sizeof f->error, "out of memory");
	else
		qsort(f->tags, f->ntags, sizeof *f->tags, tag_newer);
}

/* After each turn of the wizard's loop, which also carries the registry's sockets. */
static enum tui_event fetch_ready(void *ctx)
{
	struct fetch *f = ctx;
	return f->done ? TUI_NEXT : TUI_HANDLED;
}

static void fetch_draw(void *ctx)
{
	struct fetch *f = ctx;
	char line[600];
	snprintf(line, sizeof line, "listing the tags of %s ... (Esc cancels)", f->what);
	attr_t a = tui_attr(TUI_WARN);
	attron(a);
	mvhline(LINES - 2, 0, ' ', COLS);
	mvaddnstr(LINES - 2, 1, line, COLS - 2);
	attroff(a);
}

static enum tui_event fetch_key(void *ctx, int key)
{
	(void)ctx;
	return key == TUI_ESC ? TUI_BACK : TUI_HANDLED;
}

/* One tag's line: can the runner it holds use the GPU size answered (or the CPU mode). */
static void tag_detail(const struct wizard *w, const char *image, char *out, size_t outlen, int *ok)
{
	char why[256];
	const char *size = answers_get(&w->ans, plan_q("aks.node_vm_size"));
	if (answers_cpu_mode(&w->ans)) {
		*ok = 1;
		snprintf(out, outlen, "CPU mode: any release runs (CPU_ONLY=true)");
	} else if ((*ok = plan_gpu_usable(size, image, why, sizeof why)) != 0) {
		snprintf(out, outlen, "the runner can use %s", size);
	} else {
		size_t sl = strlen(size);   /* "SIZE: runner 0.9.21 does not ...": the list names no size twice */
		snprintf(out, outlen, "%s", strncmp(why, size, sl) == 0 && why[sl] == ':' ? why + sl + 2 : why);
	}
}

void image_tags_free(struct image_tags *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->values[i]);
		free(t->details[i]);
	}
	free(t->values);
	free(t->details);
	free(t->choices);
	free(t);
}

struct image_tags *image_tags_fetch(struct wizard *w, const char *image, enum tui_event *ev, char *why, size_t whylen)
{
	const char *source = answers_get(&w->ans, plan_q("acr.source_registry"));
	char repo[256], tag[160], what[512];
	*ev = TUI_REDRAW;
	if (!source || hub_split_image(source, image, repo, sizeof repo, tag, sizeof tag) != 0) {
		snprintf(why, whylen, "acr.image: %s names no repository to list the tags of", image);
		return NULL;
	}
	struct http_client *http = http_client_new(w->loop);
	if (!http) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (w->opts->ca_file && http_client_set_ca_file(http, w->opts->ca_file) != 0) {
		http_client_free(http);
		snprintf(why, whylen, "%s: cannot read the CA file", w->opts->ca_file);
		return NULL;
	}
	struct fetch f = {.what = what};
	snprintf(what, sizeof what, "%s at %s", repo, source);
	/* The operator's Docker Hub token when the vault has one (USER:TOKEN), as the preflight uses. */
	const unsigned char *cred = NULL;
	size_t credlen = 0;
	if (!w->v || vault_get(w->v, "dockerhub-token", &cred, &credlen, NULL) != VAULT_OK || !memchr(cred, ':', credlen))
		cred = NULL, credlen = 0;
	f.op = hub_tags(http, source, repo, cred, credlen, fetch_done, &f);
	if (!f.op) {
		http_client_free(http);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	f.src = (struct tui_source){fetch_ready, &f};
	struct tui_app app = {fetch_draw, fetch_key, &f.src, 1, &f};
	*ev = tui_run(&app);
	if (f.op)
		hub_cancel(f.op);
	http_client_free(http);
	struct image_tags *t = NULL;
	if (*ev == TUI_NEXT && !f.error[0] && f.ntags == 0)
		snprintf(why, whylen, "%s has no tags", what);
	else if (*ev == TUI_NEXT && f.error[0])
		snprintf(why, whylen, "acr.image: cannot list the tags of %s: %s", what, f.error);
	else if (*ev == TUI_NEXT && (t = calloc(1, sizeof *t)) != NULL) {
		t->choices = calloc(f.ntags, sizeof *t->choices);
		t->values = calloc(f.ntags, sizeof *t->values);
		t->details = calloc(f.ntags, sizeof *t->details);
		/* The image as typed, up to its tag: "leafai/azure-studio-go-runner". */
		const char *slash = strrchr(image, '/');
		const char *colon = strchr(slash ? slash : image, ':');
		int name_len = colon ? (int)(colon - image) : (int)strlen(image);
		for (size_t i = 0; t->choices && t->values && t->details && i < f.ntags; i++) {
			char value[512], detail[300];
			int ok;
			snprintf(value, sizeof value, "%.*s:%s", name_len, image, f.tags[i]);
			tag_detail(w, value, detail, sizeof detail, &ok);
			t->values[t->n] = strdup(value);
			t->details[t->n] = strdup(detail);
			if (!t->values[t->n] || !t->details[t->n])
				break;
			t->choices[t->n] = (struct plan_choice){t->values[t->n], t->details[t->n], ok};
			t->n++;
		}
		if (t->n == 0) {
			image_tags_free(t);
			t = NULL;
			snprintf(why, whylen, "out of memory");
		}
	}
	for (size_t i = 0; i < f.ntags; i++)
		free(f.tags[i]);
	free(f.tags);
	if (*ev == TUI_NEXT || *ev == TUI_BACK)
		*ev = TUI_REDRAW;   /* listed, failed or cancelled: the form stays */
	return t;
}

const struct plan_choice *image_tags_choices(const struct image_tags *t, size_t *n)
{
	*n = t ? t->n : 0;
	return t ? t->choices : NULL;
}
