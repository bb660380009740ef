/* core/sys/log.h: the wizard's log (wizard.log in the state directory).
 * Every secret the process handles is registered with log_redact() first; any
 * occurrence in a later line is written as <redacted>. */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Appends to path (created 0600). 0 or -1. Without log_open, lines are dropped. */
int log_open(const char *path);
void log_close(void);
/* Registers a secret (copied into protected memory); values shorter than 4 bytes are ignored. */
void log_redact(const void *secret, size_t len);
void log_redact_clear(void);
/* One line: secrets masked, then control characters escaped with text_safe(). */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies src to dst (dstlen bytes, NUL-terminated) with every registered secret masked. */
void log_scrub(const char *src, char *dst, size_t dstlen);
/* 1 when text[0..n) holds a registered secret (or memory ran out): text from outside (a pod's
 * log, its events) that does is never shown, logged or kept in the state. */
int log_holds_secret(const char *text, size_t n);

#endif
