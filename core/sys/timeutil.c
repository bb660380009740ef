#include "core/sys/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void time_iso(int64_t t, char *out, size_t outlen)
{
	if (t <= 0) {
		snprintf(out, outlen, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int time_parse_iso(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}
