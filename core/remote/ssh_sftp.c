/* ssh_write_file: a small SFTP v3 client (draft-ietf-secsh-filexfer-02) on a libssh2 channel,
 * because libssh2 1.10 has no posix-rename@openssh.com: create a temporary file with the
 * mode, write, fsync, close, then rename it over the target atomically. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/format/wire.h"
#include "core/remote/ssh_int.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define SFTP_CHUNK 32768
#define SFTP_OUT_CAP (SFTP_CHUNK + 4096)
#define SFTP_IN_CAP 65536
#define SFTP_PATH_MAX 1024
#define SFTP_HANDLE_MAX 256

enum { FXP_INIT = 1, FXP_VERSION = 2, FXP_OPEN = 3, FXP_CLOSE = 4, FXP_WRITE = 6, FXP_FSETSTAT = 10,
       FXP_REMOVE = 13, FXP_STATUS = 101, FXP_HANDLE = 102, FXP_EXTENDED = 200 };
enum { FXF_WRITE = 0x02, FXF_CREAT = 0x08, FXF_TRUNC = 0x10, FXF_EXCL = 0x20 };
#define ATTR_PERMISSIONS 0x04

enum sftp_chan { C_OPEN, C_SUBSYS, C_TALK, C_CLOSE, C_FREE };
enum sftp_phase { P_INIT, P_OPEN, P_SETSTAT, P_WRITE, P_FSYNC, P_CLOSE, P_RENAME, P_CLEAN_CLOSE, P_CLEAN_REMOVE };

struct sftp_op {
	struct ssh_op op;
	enum sftp_chan chan;
	enum sftp_phase phase;
	LIBSSH2_CHANNEL *ch;
	char path[SFTP_PATH_MAX], tmp[SFTP_PATH_MAX + 32];
	unsigned mode;
	unsigned char *data;   /* secmem */
	size_t len, off, chunk;
	struct wire_wr out;    /* in secmem: requests carry the data */
	size_t outoff;
	unsigned char in[SFTP_IN_CAP];
	size_t inlen;
	uint32_t id;
	unsigned char handle[SFTP_HANDLE_MAX];
	size_t handlelen;
	int has_rename, has_fsync;
	char err[512];   /* set once something failed */
	ssh_done_fn on_done;
	void *arg;
};

/* Starts a packet of type (with a fresh request id unless INIT); sftp_end fills the length. */
static void sftp_begin(struct sftp_op *f, int type)
{
	f->out.len = f->outoff = 0;
	wire_put_u32(&f->out, 0);
	wire_put_u8(&f->out, (unsigned)type);
	if (type != FXP_INIT)
		wire_put_u32(&f->out, ++f->id);
}

static void sftp_end(struct sftp_op *f)
{
	wire_patch_len(&f->out, 0);
}

static void sftp_request(struct sftp_op *f, enum sftp_phase phase)
{
	f->phase = phase;
	switch (phase) {
	case P_INIT:
		sftp_begin(f, FXP_INIT);
		wire_put_u32(&f->out, 3);
		break;
	case P_OPEN:
		sftp_begin(f, FXP_OPEN);
		wire_put_long(&f->out, f->tmp, strlen(f->tmp));
		wire_put_u32(&f->out, FXF_WRITE | FXF_CREAT | FXF_TRUNC | FXF_EXCL);
		wire_put_u32(&f->out, ATTR_PERMISSIONS);
		wire_put_u32(&f->out, f->mode);
		break;
	case P_SETSTAT:   /* the server's umask may have narrowed the mode at creation */
		sftp_begin(f, FXP_FSETSTAT);
		wire_put_long(&f->out, f->handle, f->handlelen);
		wire_put_u32(&f->out, ATTR_PERMISSIONS);
		wire_put_u32(&f->out, f->mode);
		break;
	case P_WRITE:
		f->chunk = f->len - f->off < SFTP_CHUNK ? f->len - f->off : SFTP_CHUNK;
		sftp_begin(f, FXP_WRITE);
		wire_put_long(&f->out, f->handle, f->handlelen);
		wire_put_u32(&f->out, (uint32_t)((uint64_t)f->off >> 32));
		wire_put_u32(&f->out, (uint32_t)f->off);
		wire_put_long(&f->out, f->data + f->off, f->chunk);
		break;
	case P_FSYNC:
		sftp_begin(f, FXP_EXTENDED);
		wire_put_long(&f->out, "fsync@openssh.com", 17);
		wire_put_long(&f->out, f->handle, f->handlelen);
		break;
	case P_CLOSE:
	case P_CLEAN_CLOSE:
		sftp_begin(f, FXP_CLOSE);
		wire_put_long(&f->out, f->handle, f->handlelen);
		break;
	case P_RENAME:
		sftp_begin(f, FXP_EXTENDED);
		wire_put_long(&f->out, "posix-rename@openssh.com", 24);
		wire_put_long(&f->out, f->tmp, strlen(f->tmp));
		wire_put_long(&f->out, f->path, strlen(f->path));
		break;
	case P_CLEAN_REMOVE:
		sftp_begin(f, FXP_REMOVE);
		wire_put_long(&f->out, f->tmp, strlen(f->tmp));
		break;
	}
	sftp_end(f);
}

static void sftp_set_err(struct sftp_op *f, const char *what, struct wire_rd *r, uint32_t code)
{
	size_t n = 0;
	const unsigned char *m = r ? wire_str(r, 1, &n) : NULL;
	char raw[sizeof f->err];
	snprintf(raw, sizeof raw, "ssh %s: %s %s: %.*s (SFTP status %u)", ssh_name(f->op.s), what, f->path,
	         (int)(n < 200 ? n : 200), m ? (const char *)m : "", code);
	text_safe(raw, f->err, sizeof f->err);
}

/* After an error: close and remove the temporary file if it exists, else stop talking. */
static void sftp_cleanup(struct sftp_op *f)
{
	if (f->phase == P_SETSTAT || f->phase == P_WRITE || f->phase == P_FSYNC)
		sftp_request(f, P_CLEAN_CLOSE);   /* the handle is still open */
	else if (f->phase == P_CLOSE || f->phase == P_RENAME)
		sftp_request(f, P_CLEAN_REMOVE);
	else
		f->chan = C_CLOSE;
}

/* One whole response packet: move to the next request. */
static void sftp_response(struct sftp_op *f, int type, struct wire_rd *r)
{
	if (f->phase == P_INIT) {
		if (type != FXP_VERSION || wire_u32(r) < 3) {
			snprintf(f->err, sizeof f->err, "ssh %s: the SFTP server speaks an unknown version", ssh_name(f->op.s));
			f->chan = C_CLOSE;
			return;
		}
		while (r->off < r->n && !r->bad) {
			size_t nn, dn;
			const unsigned char *name = wire_str(r, 1, &nn);
			wire_str(r, 1, &dn);
			if (name && nn == 24 && memcmp(name, "posix-rename@openssh.com", 24) == 0)
				f->has_rename = 1;
			if (name && nn == 17 && memcmp(name, "fsync@openssh.com", 17) == 0)
				f->has_fsync = 1;
		}
		if (!f->has_rename) {
			snprintf(f->err, sizeof f->err, "ssh %s: the SFTP server lacks posix-rename@openssh.com; "
			         "cannot replace %s atomically", ssh_name(f->op.s), f->path);
			f->chan = C_CLOSE;
			return;
		}
		sftp_request(f, P_OPEN);
		return;
	}
	uint32_t id = wire_u32(r);
	if (r->bad || id != f->id) {
		snprintf(f->err, sizeof f->err, "ssh %s: the SFTP server answered out of turn", ssh_name(f->op.s));
		f->chan = C_CLOSE;
		return;
	}
	if (f->phase == P_OPEN && type == FXP_HANDLE) {
		size_t n;
		const unsigned char *h = wire_str(r, 1, &n);
		if (!h || n == 0 || n > SFTP_HANDLE_MAX) {
			snprintf(f->err, sizeof f->err, "ssh %s: the SFTP server sent a bad handle", ssh_name(f->op.s));
			f->chan = C_CLOSE;
			return;
		}
		memcpy(f->handle, h, n);
		f->handlelen = n;
		sftp_request(f, P_SETSTAT);
		return;
	}
	uint32_t code = type == FXP_STATUS ? wire_u32(r) : 99;
	if (f->err[0]) {   /* cleaning up after an error: whatever the answer, go on */
		if (f->phase == P_CLEAN_CLOSE)
			sftp_request(f, P_CLEAN_REMOVE);
		else
			f->chan = C_CLOSE;
		return;
	}
	if (code != 0) {
		static const char *what[] = {"cannot start SFTP for", "cannot create a temporary file for",
		                             "cannot set the mode of", "cannot write", "cannot flush",
		                             "cannot close", "cannot rename into place"};
		sftp_set_err(f, what[f->phase < P_CLEAN_CLOSE ? f->phase : 0], type == FXP_STATUS ? r : NULL, code);
		sftp_cleanup(f);
		return;
	}
	switch (f->phase) {
	case P_SETSTAT:
		sftp_request(f, f->len ? P_WRITE : (f->has_fsync ? P_FSYNC : P_CLOSE));
		break;
	case P_WRITE:
		f->off += f->chunk;
		sftp_request(f, f->off < f->len ? P_WRITE : (f->has_fsync ? P_FSYNC : P_CLOSE));
		break;
	case P_FSYNC:
		sftp_request(f, P_CLOSE);
		break;
	case P_CLOSE:
		sftp_request(f, P_RENAME);
		break;
	default:   /* P_RENAME: done */
		f->chan = C_CLOSE;
		break;
	}
}

static void sftp_finish(struct sftp_op *f)
{
	f->op.done = 1;
	if (!f->err[0])
		log_msg(LOG_INFO, "ssh %s: wrote %s (%zu bytes, mode %04o)", ssh_name(f->op.s), f->path, f->len, f->mode);
	if (f->on_done)
		f->on_done(f->err[0] ? -1 : 0, f->err[0] ? f->err : NULL, f->arg);
}

static int sftp_lib_error(struct sftp_op *f, const char *what, int rc)
{
	char e[256];
	if (ssh_rc_broken(rc)) {
		ssh_broken(f->op.s, what, rc);
		return 0;
	}
	snprintf(f->err, sizeof f->err, "ssh %s: %s for %s: %s", ssh_name(f->op.s), what, f->path,
	         ssh_errmsg(f->op.s, e, sizeof e));
	f->chan = f->ch ? C_CLOSE : C_FREE;
	return 1;
}

static int sftp_talk(struct sftp_op *f)
{
	if (f->out.bad) {   /* a request larger than SFTP_OUT_CAP: never sent cut short */
		snprintf(f->err, sizeof f->err, "ssh %s: an SFTP request for %s is too large", ssh_name(f->op.s), f->path);
		f->chan = C_CLOSE;
		return 1;
	}
	if (f->outoff < f->out.len) {
		ssize_t n = libssh2_channel_write(f->ch, (const char *)f->out.p + f->outoff, f->out.len - f->outoff);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (n < 0)
			return sftp_lib_error(f, "sending an SFTP request", (int)n);
		f->outoff += (size_t)n;
		return 1;
	}
	ssize_t n = libssh2_channel_read(f->ch, (char *)f->in + f->inlen, SFTP_IN_CAP - f->inlen);
	if (n == LIBSSH2_ERROR_EAGAIN)
		return 0;
	if (n < 0)
		return sftp_lib_error(f, "reading an SFTP answer", (int)n);
	if (n == 0) {
		if (!libssh2_channel_eof(f->ch))
			return 0;
		if (!f->err[0])
			snprintf(f->err, sizeof f->err, "ssh %s: the SFTP server went away while writing %s",
			         ssh_name(f->op.s), f->path);
		f->chan = C_CLOSE;
		return 1;
	}
	f->inlen += (size_t)n;
	while (f->chan == C_TALK && f->inlen >= 5) {
		struct wire_rd len = {f->in, 4, 0, 0};
		uint32_t plen = wire_u32(&len);
		if (plen < 1 || plen > SFTP_IN_CAP - 4) {
			snprintf(f->err, sizeof f->err, "ssh %s: the SFTP server sent a bad packet", ssh_name(f->op.s));
			f->chan = C_CLOSE;
			break;
		}
		if (f->inlen < 4 + (size_t)plen)
			break;
		struct wire_rd r = {f->in + 5, plen - 1, 0, 0};
		sftp_response(f, f->in[4], &r);
		memmove(f->in, f->in + 4 + plen, f->inlen - 4 - plen);
		f->inlen -= 4 + plen;
	}
	return 1;
}

static int sftp_step(struct ssh_op *op)
{
	struct sftp_op *f = (struct sftp_op *)op;
	LIBSSH2_SESSION *lib = ssh_lib(op->s);
	int rc;
	switch (f->chan) {
	case C_OPEN:
		if (!ssh_open_turn(op->s, op))
			return 0;
		f->ch = libssh2_channel_open_session(lib);
		if (!f->ch) {
			rc = libssh2_session_last_errno(lib);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			ssh_open_done(op->s, op);
			return sftp_lib_error(f, "opening a channel", rc);
		}
		ssh_open_done(op->s, op);
		f->chan = C_SUBSYS;
		return 1;
	case C_SUBSYS:
		rc = libssh2_channel_subsystem(f->ch, "sftp");
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc)
			return sftp_lib_error(f, "starting the SFTP subsystem", rc);
		f->chan = C_TALK;
		sftp_request(f, P_INIT);
		return 1;
	case C_TALK:
		return sftp_talk(f);
	case C_CLOSE:
		rc = libssh2_channel_close(f->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		f->chan = C_FREE;
		return 1;
	case C_FREE:
		if (f->ch) {
			rc = libssh2_channel_free(f->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			f->ch = NULL;
		}
		sftp_finish(f);
		return 1;
	}
	return 0;
}

static void sftp_fail(struct ssh_op *op, const char *err)
{
	struct sftp_op *f = (struct sftp_op *)op;
	if (f->on_done)
		f->on_done(-1, err, f->arg);
}

static void sftp_destroy(struct ssh_op *op)
{
	struct sftp_op *f = (struct sftp_op *)op;
	secmem_free(f->data);
	secmem_free(f->out.p);
	free(f);
}

int ssh_write_file(struct ssh_session *s, const char *path, const void *data, size_t len, unsigned mode,
                   ssh_done_fn on_done, void *arg)
{
	if (!s || !ssh_is_ready(s) || !path || !*path || strlen(path) >= SFTP_PATH_MAX || mode > 07777)
		return -1;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -1;
	struct sftp_op *f = calloc(1, sizeof *f);
	if (!f || !(f->data = secmem_alloc(len)) || !(f->out.p = secmem_alloc(SFTP_OUT_CAP))) {
		if (f)
			secmem_free(f->data);
		free(f);
		return -1;
	}
	if (len)
		memcpy(f->data, data, len);
	f->out.cap = SFTP_OUT_CAP;
	f->len = len;
	f->mode = mode;
	snprintf(f->path, sizeof f->path, "%s", path);
	snprintf(f->tmp, sizeof f->tmp, "%s.sw-%08x", path, randombytes_random());
	f->on_done = on_done;
	f->arg = arg;
	f->op.step = sftp_step;
	f->op.fail = sftp_fail;
	f->op.destroy = sftp_destroy;
	f->op.uses_session = 1;
	ssh_add_op(s, &f->op);
	return 0;
}
