/* core/sys/text.h: text that did not come from the program itself (Azure, files, hosts)
 * made safe before it reaches a terminal or the log. */
#ifndef SW_TEXT_H
#define SW_TEXT_H

#include <stddef.h>

/* Copies in to out (NUL-terminated, cut to fit) with C0 controls, DEL and C1 controls
 * (U+0080..U+009F, and bytes that are not valid UTF-8) replaced by '?'. Valid UTF-8 text
 * is kept. Returns out. */
char *text_safe(const char *in, char *out, size_t outlen);

#endif
