/* core/sys/timeutil.h: the one time format of the state file and the command line (UTC ISO 8601). */
#ifndef SW_TIMEUTIL_H
#define SW_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_ISO_LEN 21   /* "2026-11-25T17:41:40Z" + NUL */

/* 0 prints as "-". */
void time_iso(int64_t t, char *out, size_t outlen);
/* 0 or -1. */
int time_parse_iso(const char *s, int64_t *out);

#endif
