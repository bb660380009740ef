/* core/probe/probetext.h: text from a server made safe for a terminal and the log. */
#ifndef SW_PROBETEXT_H
#define SW_PROBETEXT_H

#include <stddef.h>

/* Copies len bytes of src into dst (dstlen bytes, always NUL-terminated) on one line:
 * valid UTF-8 is kept; C0 controls, DEL, C1 controls and invalid bytes become '?',
 * except that runs of CR/LF/TAB become one space (none at the end). Returns dst. */
char *probetext_safe(const void *src, size_t len, char *dst, size_t dstlen);

#endif
