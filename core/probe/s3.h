/* core/probe/s3.h: the few S3 calls the wizard needs to prove a Minio (or any S3) endpoint
 * and its keys work: path-style URLs (ENDPOINT/bucket/key), SigV4 through libcurl on the
 * project's one HTTP path, every call asynchronous on the loop. */
#ifndef SW_S3_H
#define SW_S3_H

#include <stddef.h>

#include "core/http/http.h"
#include "core/sys/loop.h"

struct s3;

struct s3_result {
	int ok;
	long status;              /* HTTP status; 0 when no answer arrived */
	char error[512];          /* one terminal-safe line when !ok: "PUT /b/k: 403 SignatureDoesNotMatch: ..." */
	const char *body;         /* s3_get_object: the object's bytes (valid during the callback) */
	size_t body_len;
	char **buckets;           /* s3_list_buckets: terminal-safe names (valid during the callback) */
	size_t nbuckets;
};

/* Called once from the loop for each call. */
typedef void (*s3_done_fn)(const struct s3_result *r, void *arg);

/* endpoint: "http://10.0.0.4:9000" (no path); region NULL = "us-east-1". The keys are
 * copied into secmem. NULL when out of memory. s3_free drops the calls in flight without
 * calling their done(): the loop outlives whoever made them (doc/event-loop.md). */
struct s3 *s3_new(struct http_client *http, const char *endpoint, const char *region, const char *access_key,
                  const char *secret_key);
void s3_free(struct s3 *s);

/* Each submits one request; bad arguments (bucket name, key) reach done() from the loop. */
void s3_list_buckets(struct s3 *s, s3_done_fn done, void *arg);
/* 200, or 409 BucketAlreadyOwnedByYou, is ok. */
void s3_create_bucket(struct s3 *s, const char *bucket, s3_done_fn done, void *arg);
void s3_put_object(struct s3 *s, const char *bucket, const char *key, const void *data, size_t len, s3_done_fn done,
                   void *arg);
/* With expect non-NULL the call is ok only when the object's bytes equal expect. */
void s3_get_object(struct s3 *s, const char *bucket, const char *key, const void *expect, size_t expect_len,
                   s3_done_fn done, void *arg);
void s3_delete_object(struct s3 *s, const char *bucket, const char *key, s3_done_fn done, void *arg);

#endif
