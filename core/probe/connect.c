/* core/probe/connect.c: a refused connection and a silent one point at different faults. */
#include "core/probe/connect.h"

#include <errno.h>
#include <stdio.h>

void probe_connect_advice(int err, const char *sources_key, char *out, size_t outlen)
{
	if (err == ECONNREFUSED)
		snprintf(out, outlen, "the VM refused it: nothing listens on that port there (the security group let "
		                      "the connection through)");
	else if (err == ETIMEDOUT)
		snprintf(out, outlen, "no answer: check the security group and %s", sources_key);
	else if (err == EHOSTUNREACH || err == ENETUNREACH)
		snprintf(out, outlen, "no route to the VM from here: check this machine's network");
	else
		snprintf(out, outlen, "check the security group and %s", sources_key);
}
