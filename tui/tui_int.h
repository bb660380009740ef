/* tui/tui_int.h: shared between the files of tui/ only; screens use tui.h and widgets.h. */
#ifndef SW_TUI_INT_H
#define SW_TUI_INT_H

#include <stdbool.h>

void tui_loop_setup(void);
void tui_loop_teardown(void);
/* The signal pipe: poll its read end; take() drains it and says what arrived. */
int tui_sig_fd(void);
int tui_sig_take(bool *resized);
/* The terminal went away without a signal: report it as SIGHUP. */
void tui_sig_hangup(void);

#endif
