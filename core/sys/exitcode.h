/* core/sys/exitcode.h: the command line's exit codes (a contract: scripts depend on them). */
#ifndef SW_EXITCODE_H
#define SW_EXITCODE_H

#define SW_EXIT_CODES(X)                                   \
	X(SW_EXIT_OK, 0, "ok")                                 \
	X(SW_EXIT_ERROR, 1, "error")                           \
	X(SW_EXIT_USAGE, 2, "usage")                           \
	X(SW_EXIT_PASSPHRASE, 3, "wrong passphrase")           \
	X(SW_EXIT_DAMAGED, 4, "vault damaged")                 \
	X(SW_EXIT_IN_USE, 5, "profile in use")                 \
	X(SW_EXIT_NOENT, 6, "no such entry")                   \
	X(SW_EXIT_NEWER, 7, "file from a newer version")       \
	X(SW_EXIT_STATE, 8, "state not verified")

#define SW_EXIT_ENUM_(id, code, text) id = code,
enum sw_exit { SW_EXIT_CODES(SW_EXIT_ENUM_) };
#undef SW_EXIT_ENUM_

#endif
