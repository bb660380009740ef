/* cli/sout.h: values go from protected memory to fd 1 without stdio buffers. */
#ifndef SW_CLI_SOUT_H
#define SW_CLI_SOUT_H

#include <stddef.h>

struct sout {
	unsigned char *buf;
	size_t len;
	int failed;
};
#define SOUT_CAP 65536
int sout_open(struct sout *s);    /* a protected buffer; 0, or -1 after the message */
int sout_close(struct sout *s);   /* flushes and frees; 0, or -1 after the message */
void sout_flush(struct sout *s);   /* writes and wipes the buffer; failed set on error */
void sout_put(struct sout *s, const void *data, size_t len);
void sout_str(struct sout *s, const char *str);
void sout_json_string(struct sout *s, const unsigned char *p, size_t n);   /* quoted, escaped */
void sout_base64(struct sout *s, const unsigned char *p, size_t n);
int sout_utf8_clean(const unsigned char *p, size_t n);   /* 1: valid UTF-8 without NUL bytes */

#endif
