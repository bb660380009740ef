/* core/model/uniqid.h: the install's short id, derived exactly as the seed's shell line does:
 *   md5sum <(echo $subscription_id $(ip maddress show eth0)) | cut -f1 -d\  | cut -c1-8
 * so the same host and subscription give the same resource names as a manual install. */
#ifndef SW_UNIQID_H
#define SW_UNIQID_H

#include <stddef.h>

#define UNIQID_LEN 8
#define UNIQID_DEFAULT_DEV "eth0"

/* The bytes `echo` writes: every word of both inputs (split on space, tab, newline)
 * joined by one space, then "\n". Caller frees; NULL when out of memory. */
char *uniqid_seed_text(const char *subscription, const char *maddr_output);
/* First 8 hex digits of md5(uniqid_seed_text(...)). 0, or -1 when out of memory. */
int uniqid_from_output(const char *subscription, const char *maddr_output,
                       char out[UNIQID_LEN + 1]);
/* Runs `ip maddress show <dev>` (dev NULL: eth0) and hashes its stdout with the
 * subscription. A missing `ip` or device hashes an empty expansion, as bash would. */
int uniqid_derive(const char *subscription, const char *dev, char out[UNIQID_LEN + 1]);

#endif
