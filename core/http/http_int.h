/* core/http/http_int.h: what the client (http.c), the request (http_request.c) and the
 * URL helpers (http_url.c) share; not for use outside core/http/http*.c. */
#ifndef SW_HTTP_INT_H
#define SW_HTTP_INT_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "core/http/http.h"
#include "core/sys/loop.h"

enum req_state { REQ_RUNNING, REQ_WAITING, REQ_REFUSED };

struct http_request {
	struct http_request *next;
	struct http_client *client;
	char method[16];
	char *url;
	char *log_url;            /* redacted copy for the log */
	char host[256];
	struct curl_slist *hdrs;
	char *body;
	size_t body_len;
	int has_body;
	int idempotent;
	int once;           /* never replayed once it may have reached the server */
	enum http_kind kind;
	unsigned timeouts;  /* attempts that ran out of time */
	struct curl_blob tls_ca, tls_cert, tls_key;   /* from memory; .data NULL when unset */
	char *sigv4_provider;     /* http_request_set_aws_sigv4; NULL when unsigned */
	char *sigv4_access;       /* secmem */
	char *sigv4_secret;       /* secmem */
	CURL *easy;
	char request_id[37];
	char errbuf[CURL_ERROR_SIZE];
	char *error;
	http_done_fn done;
	void *arg;
	struct http_response resp;
	size_t body_cap;
	size_t headers_cap;
	int too_large;
	enum req_state state;
	unsigned timer;     /* the loop timer of a retry's wait or a refusal's delivery; 0 none */
	long long submitted_ms, attempt_ms;
};

struct http_client {
	CURLM *multi;
	struct loop *loop;
	struct http_request *reqs;
	curl_socket_t *socks;     /* watched on the loop for curl (CURLMOPT_SOCKETFUNCTION) */
	size_t nsocks, capsocks;
	unsigned curl_timer;      /* the loop timer standing for curl's (CURLMOPT_TIMERFUNCTION); 0 none */
	char *ca_file;
	unsigned max_attempts;
	long base_ms, cap_ms;
	long connect_ms, stall_s;
	long deadline_ms[HTTP_KIND_COUNT];
};

/* http.c */
uint32_t http_random_u32(void);   /* getrandom, or a clock-based fallback */

/* http_url.c */
int http_url_parse(const char *url, char *scheme, size_t slen, char *host, size_t hlen);   /* 0 or -1 */
int http_url_host_is_loopback(const char *host);   /* 127.0.0.0/8, ::1 (bracketed too), localhost */

/* http_request.c */
void http_request_clear_headers(struct http_request *req);   /* before each attempt's answer */
size_t http_request_on_header(char *data, size_t size, size_t n, void *arg);   /* CURLOPT_HEADERFUNCTION */
size_t http_request_on_body(char *data, size_t size, size_t n, void *arg);     /* CURLOPT_WRITEFUNCTION */
void http_request_sigv4_release(struct http_request *req);   /* takes the keys back from curl */
/* libcurl calls every body it sends (an empty one too) a form unless told otherwise: without
 * a caller's Content-Type none is sent, as the Azure CLI sends its body-less POSTs. Signed
 * requests keep curl's (their signature covers it). 0 or -1 (out of memory). */
int http_request_drop_form_type(struct http_request *req);
/* 0 when a header holds a line break or another control byte (curl would send it as it is,
 * ending the header early: a token from outside could add headers); else 1. */
int http_request_headers_clean(const struct http_request *req);

#endif
