/* tests/fuzz/fuzz.h: what every harness shares. A harness is libFuzzer's entry point over one
 * parser of outside input; linked with -fsanitize=fuzzer it fuzzes (make fuzz), linked with
 * tests/fuzz/driver.c it runs over seed files once (make check, tests/cli/test_fuzz_seeds.sh). */
#ifndef SW_FUZZ_H
#define SW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set by the harness to 1 when the parser accepted the input; the driver reports it, so the
 * seed check can tell a seed that stopped being a real, accepted example. */
extern int fuzz_accepted;

/* data with a NUL after it (malloc'd; aborts when out of memory): for parsers of C strings. */
char *fuzz_text(const uint8_t *data, size_t size);
/* Aborts (a finding) when a message meant for the terminal or the log is not one line of
 * text_safe text: outside input echoed raw could drive the operator's terminal. */
void fuzz_line_safe(const char *what, const char *line);

#endif
