/* core/format/yaml.h: YAML out of cJSON, the one way the wizard writes YAML (the overlay's
 * files, cloud-init user-data, the experimenter's configuration). Nothing here reads YAML:
 * what the wizard writes it keeps as cJSON. */
#ifndef SW_FORMAT_YAML_H
#define SW_FORMAT_YAML_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* head (NULL, or lines that each start with '#') then doc, an object or an array, as one
 * block-style YAML document. A string is written plain only when YAML 1.1 and 1.2 both read
 * it back as that same string (not "yes", "on", "0x1", "~", "1.5", "a: b", " x"...); else as a
 * literal block when it is lines of text ending in one newline, else double-quoted with
 * escapes. Writes into out as snprintf does and returns the length the text needs (call
 * again with a buffer one larger), or -1 when doc holds what YAML cannot carry: a string that
 * is not UTF-8, a number that is not finite, a raw item, or head a line that is no comment. */
long yaml_emit(const cJSON *doc, const char *head, char *out, size_t outlen);

#endif
