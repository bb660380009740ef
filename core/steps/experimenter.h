/* core/steps/experimenter.h: the studioml client configuration for experimenters
 * (doc/runner.md, "The experimenter's configuration"): the queue's amqp URL with the real password, the Minio endpoint, bucket
 * and keys for database and storage, and the runner's public key and the signing key as
 * files beside it. It holds secrets: every file is created 0600 and never over an existing one. */
#ifndef SW_EXPERIMENTER_H
#define SW_EXPERIMENTER_H

#include <stddef.h>

#include "core/model/state.h"
#include "secrets/vault.h"

#define EXPERIMENTER_DEFAULT_OUT "~/.studioml/config.yaml"

/* Writes path (and <stem>-request.pub.pem, <stem>-signing beside it) from the installed state
 * and the vault. 0, or -1 with err naming the missing input (and its step) or the file; -2
 * when one of the files exists already (the caller says how to name another). */
int experimenter_write(const struct state *st, const vault *v, const char *path, char *err, size_t errlen);

/* The default's directory, ~/.studioml (the client's own place): made 0700 when missing; an
 * existing one (or a symlink's target) that another user owns or others can write is refused
 * as --state-dir is. 0, or -1 with err. The command line and the credentials screen use it. */
int experimenter_default_dir(char *err, size_t errlen);

#endif
