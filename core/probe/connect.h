/* core/probe/connect.h: advice for a failed TCP connect to a VM's port. */
#ifndef SW_PROBE_CONNECT_H
#define SW_PROBE_CONNECT_H

#include <stddef.h>

/* What a failed TCP connect says about where the fault is, as advice after the error: a
 * refusal comes from the host itself (the network let it through, nothing listens on the
 * port); silence is what a security group that drops the packets looks like. err is the
 * connect's errno, ETIMEDOUT for no answer; sources_key names the answer that opens the port. */
void probe_connect_advice(int err, const char *sources_key, char *out, size_t outlen);

#endif
