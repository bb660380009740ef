/* tui/tui_int.h: shared between the files of tui/ only; screens use tui.h and widgets.h. */
#ifndef SW_TUI_INT_H
#define SW_TUI_INT_H

#include <stdbool.h>

/* tui.c, the lowest file: the signal pipe: poll its read end; take() drains it and says what arrived. */
int tui_sig_fd(void);
int tui_sig_take(bool *resized);
/* The terminal went away without a signal: report it as SIGHUP. */
void tui_sig_hangup(void);

/* tui/script.c: SW_TUI_SCRIPT and SW_TUI_DUMP (read once, at the first tui_run). */
void tui_script_setup(void);
/* True while scripted commands remain: the keyboard is ignored until then. */
bool tui_script_running(void);
/* After each frame: keeps its text for waits and appends it to the dump. */
void tui_script_frame(void);
/* The next scripted key, or -1 (waiting for the screen: *timeout_ms lowered; or no script). */
int tui_script_key(int *timeout_ms);

#endif
