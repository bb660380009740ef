/* core/sys/text.h: text from outside (Azure, files, other programs) made safe for a
 * terminal or a one-line log. The one sanitizer of the project (tui/ keeps its own). */
#ifndef SW_TEXT_H
#define SW_TEXT_H

#include <stddef.h>

/* Copies in to out (outlen bytes, always NUL-terminated) for one line of a terminal or log:
 * C0 controls (newline and tab too), DEL and raw bytes that are not valid UTF-8 become
 * "\xNN", C1 controls written as UTF-8 (U+0080..U+009F) become "\u0080".."\u009f"; valid
 * UTF-8 text is kept. Cuts only between characters. Returns the length written. */
size_t text_safe(const char *in, char *out, size_t outlen);
/* The same for len bytes of in (NUL bytes included, shown as "\x00"). */
size_t text_safe_n(const char *in, size_t len, char *out, size_t outlen);
/* text_safe into a new malloc'd string that holds all of in; NULL when out of memory. */
char *text_safe_dup(const char *in);
/* "prefix: text" into out, unless text already says it: leading "prefix: " repeats are
 * dropped, and no prefix is added when text's first part (up to ": ") names it already
 * ("sign-in" + "sign-in: device code sign-in: x" -> "device code sign-in: x"). */
size_t text_prefix(const char *prefix, const char *text, char *out, size_t outlen);
/* 1 when s holds what text_safe would change (a control character or invalid UTF-8). */
int text_has_control(const char *s);
/* d as a whole number from 0 to max into *out: 0, else -1. Checked before the cast, since
 * casting 1e300 or NaN from outside (an ARM answer) to an integer is undefined. */
int num_whole(double d, double max, long *out);

#endif
