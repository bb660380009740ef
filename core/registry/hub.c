/* Registry v2 calls with the bearer-token dance: ask, get 401 + WWW-Authenticate, fetch a
 * token from its realm, ask again once with it. Tag lists follow Link rel="next" on the
 * registry's own base. */
#include "core/registry/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "core/format/percent.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define HUB_URL_MAX 2048
#define HUB_PAGES_MAX 50
#define HUB_TAGS_MAX 5000
#define HUB_ACCEPT "Accept: application/vnd.docker.distribution.manifest.v2+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json, " \
	"application/vnd.oci.image.manifest.v1+json"

enum hub_kind { HUB_MANIFEST, HUB_TAGS };

struct hub_op {
	struct http_client *http;
	enum hub_kind kind;
	char base[512];
	char url[HUB_URL_MAX];     /* the current request (page) */
	char *cred;                /* secmem "USER:TOKEN", or NULL */
	size_t credlen;
	char *token;               /* the registry's bearer token (secmem) */
	int tried_token;
	struct http_request *req;
	hub_done_fn done;
	void *arg;
	char **tags;
	size_t ntags, pages;
	char error[600];
};

int hub_base_url(const char *source, char *out, size_t outlen)
{
	int n;
	if (strcmp(source, "docker.io") == 0 || strcmp(source, "index.docker.io") == 0)
		n = snprintf(out, outlen, "https://registry-1.docker.io");
	else if (strncmp(source, "https://", 8) == 0 || strncmp(source, "http://", 7) == 0)
		n = snprintf(out, outlen, "%s", source);
	else
		n = snprintf(out, outlen, "https://%s", source);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	size_t l = strlen(out);
	if (l && out[l - 1] == '/')
		out[l - 1] = '\0';
	return 0;
}

int hub_import_host(const char *source, char *out, size_t outlen)
{
	const char *h = strstr(source, "://");
	h = h ? h + 3 : source;
	size_t n = strcspn(h, "/");
	return snprintf(out, outlen, "%.*s", (int)n, h) < (int)outlen ? 0 : -1;
}

int hub_split_image(const char *source, const char *image, char *repo, size_t repolen, char *tag, size_t taglen)
{
	const char *slash = strrchr(image, '/');
	const char *last = slash ? slash + 1 : image;
	const char *at = strchr(last, '@');
	const char *colon = strchr(last, ':');
	size_t rn = at ? (size_t)(at - image) : colon ? (size_t)(colon - image) : strlen(image);
	const char *t = at ? at + 1 : colon ? colon + 1 : "latest";
	int hub = strcmp(source, "docker.io") == 0 || strcmp(source, "index.docker.io") == 0;
	int n = snprintf(repo, repolen, "%s%.*s", hub && !memchr(image, '/', rn) ? "library/" : "", (int)rn, image);
	if (n < 0 || (size_t)n >= repolen)
		return -1;
	return snprintf(tag, taglen, "%s", t) < (int)taglen ? 0 : -1;
}

static void hub_free(struct hub_op *o)
{
	for (size_t i = 0; i < o->ntags; i++)
		free(o->tags[i]);
	free(o->tags);
	secmem_free(o->cred);
	secmem_free(o->token);
	free(o);
}

static void hub_finish(struct hub_op *o, int found)
{
	struct hub_result r = {found, *o->error ? o->error : NULL, (const char *const *)o->tags, o->ntags};
	o->req = NULL;
	o->done(&r, o->arg);
	hub_free(o);
}

static void hub_fail(struct hub_op *o, const char *msg)
{
	text_safe(msg, o->error, sizeof o->error);
	hub_finish(o, 0);
}

static void hub_send(struct hub_op *o);

/* key="value" out of a WWW-Authenticate Bearer challenge. */
static int hub_param(const char *h, const char *key, char *out, size_t outlen)
{
	size_t kn = strlen(key);
	for (const char *p = h; (p = strcasestr(p, key)); p += kn) {
		if ((p != h && p[-1] != ' ' && p[-1] != ',') || p[kn] != '=' || p[kn + 1] != '"')
			continue;
		const char *v = p + kn + 2, *e = strchr(v, '"');
		if (!e || (size_t)(e - v) >= outlen)
			return -1;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
		return 0;
	}
	return -1;
}

/* scheme://host[:port] of url, for the same-host rule of credentials. */
static void hub_origin(const char *url, char *out, size_t outlen)
{
	const char *h = strstr(url, "://");
	size_t n = h ? (size_t)(h - url) + 3 + strcspn(h + 3, "/?") : strlen(url);
	snprintf(out, outlen, "%.*s", (int)n, url);
}

static void hub_on_token(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct hub_op *o = arg;
	o->req = NULL;
	if (r->error || r->status != 200) {
		char d[600];
		snprintf(d, sizeof d, "registry token: %s", r->error ? r->error : r->status == 401 ? "the registry refused "
		         "the credentials (dockerhub-token)" : "the token service answered an error");
		hub_fail(o, d);
		return;
	}
	cJSON *j = cJSON_Parse(r->body);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
	if (!cJSON_IsString(t))
		t = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	if (!cJSON_IsString(t) || !*t->valuestring) {
		cJSON_Delete(j);
		hub_fail(o, "registry token: no token in the answer");
		return;
	}
	size_t n = strlen(t->valuestring);
	/* It goes into a header: a line break would add headers of the token service's choosing. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t->valuestring[i] < 0x21 || (unsigned char)t->valuestring[i] > 0x7e) {
			secmem_wipe(t->valuestring, n);
			cJSON_Delete(j);
			hub_fail(o, "registry token: the token service answered a token with bytes outside visible ASCII; "
			            "refused, nothing was sent with it");
			return;
		}
	o->token = secmem_alloc(n + 1);
	if (o->token) {
		memcpy(o->token, t->valuestring, n + 1);
		log_redact(o->token, n);
	}
	secmem_wipe(t->valuestring, n);
	cJSON_Delete(j);
	if (!o->token) {
		hub_fail(o, "out of memory");
		return;
	}
	hub_send(o);
}

/* 401 with a Bearer challenge: fetch the token its realm hands out. */
static void hub_get_token(struct hub_op *o, const char *challenge)
{
	char realm[512], service[256] = "", scope[512] = "", s1[768], s2[1024], url[HUB_URL_MAX];
	if (o->tried_token || !challenge || strncasecmp(challenge, "Bearer ", 7) != 0 ||
	    hub_param(challenge, "realm", realm, sizeof realm) != 0) {
		hub_fail(o, o->tried_token ? "the registry refused access (the repository does not exist, or it "
		                                   "is private and needs dockerhub-token)"
		                                 : "the registry asks for a login this wizard cannot do");
		return;
	}
	o->tried_token = 1;
	/* Credentials in the realm would go to that host as Basic auth of the registry's choosing. */
	const char *host = strstr(realm, "://");
	if (!host || (strncasecmp(realm, "https://", 8) != 0 && strncasecmp(realm, "http://", 7) != 0)) {
		hub_fail(o, "the registry's token realm is not an http or https URL; refused");
		return;
	}
	if (memchr(host + 3, '@', strcspn(host + 3, "/?#"))) {
		hub_fail(o, "the registry's token realm carries a user name or password; refused");
		return;
	}
	hub_param(challenge, "service", service, sizeof service);
	hub_param(challenge, "scope", scope, sizeof scope);
	if (percent_escape(service, strlen(service), s1, sizeof s1) != 0 ||
	    percent_escape(scope, strlen(scope), s2, sizeof s2) != 0) {
		hub_fail(o, "the registry's token service or scope is too long; refused");
		return;
	}
	snprintf(url, sizeof url, "%s%sservice=%s%s%s", realm, strchr(realm, '?') ? "&" : "?", s1, *s2 ? "&scope=" : "",
	         s2);
	/* Credentials go to the registry's own host, or to Docker Hub's token service. */
	char ro[512], bo[512];
	hub_origin(realm, ro, sizeof ro);
	hub_origin(o->base, bo, sizeof bo);
	int send_cred = o->cred && (strcmp(ro, bo) == 0 || (strcmp(bo, "https://registry-1.docker.io") == 0 &&
	                                                    strcmp(ro, "https://auth.docker.io") == 0));
	char *hdr = NULL;
	const char *headers[2] = {NULL, NULL};
	if (send_cred) {
		size_t b64 = sodium_base64_encoded_len(o->credlen, sodium_base64_VARIANT_ORIGINAL);
		hdr = secmem_alloc(b64 + 32);
		if (!hdr) {
			hub_fail(o, "out of memory");
			return;
		}
		memcpy(hdr, "Authorization: Basic ", 21);
		sodium_bin2base64(hdr + 21, b64, (const unsigned char *)o->cred, o->credlen, sodium_base64_VARIANT_ORIGINAL);
		log_redact(hdr + 21, strlen(hdr + 21));
		headers[0] = hdr;
	}
	o->req = http_request_new("GET", url, headers, NULL);
	secmem_free(hdr);
	if (!o->req) {
		hub_fail(o, "out of memory");
		return;
	}
	http_request_set_kind(o->req, HTTP_KIND_REGISTRY);
	http_client_submit(o->http, o->req, hub_on_token, o);
}

static int hub_add_tag(struct hub_op *o, const char *t)
{
	if (o->ntags >= HUB_TAGS_MAX)
		return 0;
	char **v = realloc(o->tags, (o->ntags + 1) * sizeof *v);
	if (!v)
		return -1;
	o->tags = v;
	char safe[256];
	text_safe(t, safe, sizeof safe);
	if (!(o->tags[o->ntags] = strdup(safe)))
		return -1;
	o->ntags++;
	return 0;
}

/* Link: </v2/<repo>/tags/list?last=T&n=N>; rel="next" -> the next page on the same base. */
static int hub_next_page(struct hub_op *o, const struct http_response *r)
{
	const char *link = http_response_header(r, "Link");
	if (!link || !strstr(link, "rel=\"next\"") || link[0] != '<' || link[1] != '/')
		return 0;
	const char *e = strchr(link, '>');
	if (!e)
		return 0;
	snprintf(o->url, sizeof o->url, "%s%.*s", o->base, (int)(e - link - 1), link + 1);
	return 1;
}

static void hub_on_answer(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct hub_op *o = arg;
	o->req = NULL;
	if (r->error) {
		hub_fail(o, r->error);
		return;
	}
	if (r->status == 401) {
		hub_get_token(o, http_response_header(r, "WWW-Authenticate"));
		return;
	}
	if (o->kind == HUB_MANIFEST) {
		if (r->status == 200)
			hub_finish(o, 1);
		else if (r->status == 404)
			hub_finish(o, 0);
		else {
			char d[256];
			if (r->status == 429)
				snprintf(d, sizeof d, "the registry's pull rate limit is reached (HTTP 429); put a Docker Hub token "
				         "in the vault as dockerhub-token (USER:TOKEN)");
			else
				snprintf(d, sizeof d, "the registry answered HTTP %ld", r->status);
			hub_fail(o, d);
		}
		return;
	}
	if (r->status != 200) {
		char d[128];
		snprintf(d, sizeof d, r->status == 404 ? "no such repository (HTTP %ld)" : "the registry answered HTTP %ld",
		         r->status);
		hub_fail(o, d);
		return;
	}
	cJSON *j = cJSON_Parse(r->body);
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "tags"))
	{
		if (cJSON_IsString(it) && hub_add_tag(o, it->valuestring) != 0) {
			cJSON_Delete(j);
			hub_fail(o, "out of memory");
			return;
		}
	}
	cJSON_Delete(j);
	if (++o->pages < HUB_PAGES_MAX && hub_next_page(o, r)) {
		hub_send(o);
		return;
	}
	hub_finish(o, 1);
}

static void hub_send(struct hub_op *o)
{
	char *auth = NULL;
	const char *headers[3] = {HUB_ACCEPT, NULL, NULL};
	if (o->token) {
		size_t n = strlen(o->token) + 32;
		auth = secmem_alloc(n);
		if (!auth) {
			hub_fail(o, "out of memory");
			return;
		}
		snprintf(auth, n, "Authorization: Bearer %s", o->token);
		headers[1] = auth;
	}
	o->req = http_request_new(o->kind == HUB_MANIFEST ? "HEAD" : "GET", o->url, headers, NULL);
	secmem_free(auth);
	if (!o->req) {
		hub_fail(o, "out of memory");
		return;
	}
	http_request_set_kind(o->req, HTTP_KIND_REGISTRY);
	http_client_submit(o->http, o->req, hub_on_answer, o);
}

static struct hub_op *hub_start(struct http_client *http, enum hub_kind kind, const char *source, const char *path,
                                const void *cred, size_t credlen, hub_done_fn done, void *arg)
{
	struct hub_op *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	*o = (struct hub_op){.http = http, .kind = kind, .done = done, .arg = arg};
	if (hub_base_url(source, o->base, sizeof o->base) != 0) {
		free(o);
		return NULL;
	}
	snprintf(o->url, sizeof o->url, "%s%s", o->base, path);
	if (cred && credlen) {
		o->cred = secmem_alloc(credlen);
		if (!o->cred) {
			free(o);
			return NULL;
		}
		memcpy(o->cred, cred, credlen);
		o->credlen = credlen;
		log_redact(o->cred, credlen);
	}
	hub_send(o);
	return o;
}

struct hub_op *hub_manifest_exists(struct http_client *http, const char *source, const char *repo, const char *tag,
                                   const void *cred, size_t credlen, hub_done_fn done, void *arg)
{
	char path[1024];
	snprintf(path, sizeof path, "/v2/%s/manifests/%s", repo, tag);
	return hub_start(http, HUB_MANIFEST, source, path, cred, credlen, done, arg);
}

struct hub_op *hub_tags(struct http_client *http, const char *source, const char *repo, const void *cred, size_t credlen,
                        hub_done_fn done, void *arg)
{
	char path[1024];
	snprintf(path, sizeof path, "/v2/%s/tags/list", repo);
	return hub_start(http, HUB_TAGS, source, path, cred, credlen, done, arg);
}

void hub_cancel(struct hub_op *o)
{
	if (!o)
		return;
	if (o->req)
		http_client_cancel(o->http, o->req);
	hub_free(o);
}
