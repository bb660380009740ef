/* tests/fuzz/common.c: the helpers of tests/fuzz/fuzz.h. */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/text.h"

int fuzz_accepted;

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_line_safe(const char *what, const char *line)
{
	if (text_has_control(line)) {
		fprintf(stderr, "fuzz: %s is not terminal-safe: \"", what);
		for (const unsigned char *p = (const unsigned char *)line; *p; p++)
			fprintf(stderr, *p < 0x20 || *p >= 0x7f ? "\\x%02x" : "%c", *p);
		fprintf(stderr, "\"\n");
		abort();
	}
}
