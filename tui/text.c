/* tui/text.c: text wrapped to the terminal's width, so messages, values and log lines are
 * read whole instead of cut at the edge. */
#include "tui/widgets.h"

#include <string.h>
#include <wchar.h>

size_t tui_wrap_row(const char *p, int width, const char **next)
{
	mbstate_t st = {0};
	size_t i = 0, space = 0, len = strlen(p);
	int cols = 0;
	if (width < 1)
		width = 1;
	while (i < len && p[i] != '\n') {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p + i, len - i, &st);
		int w = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			memset(&st, 0, sizeof st);
		} else if ((w = wcwidth(wc)) < 0) {
			w = 1;
		}
		if (cols + w > width) {
			size_t cut = space > 0 ? space : i;
			if (cut == 0)
				cut = n;   /* a character wider than the row: alone on it */
			const char *q = p + cut;
			while (*q == ' ')
				q++;
			*next = q;
			return cut;
		}
		if (p[i] == ' ')
			space = i;
		cols += w;
		i += n;
	}
	*next = p + i + (p[i] == '\n');
	return i;
}

int tui_wrap_count(const char *text, int width)
{
	int rows = 0;
	for (const char *p = text; *p; rows++)
		tui_wrap_row(p, width, &p);
	return rows;
}

int tui_wrap_draw(int y, int x, int width, int height, int first, const char *text)
{
	int row = 0;
	for (const char *p = text; *p; row++) {
		const char *line = p;
		size_t len = tui_wrap_row(p, width, &p);
		while (len > 0 && line[len - 1] == ' ')
			len--;
		if (row >= first && row - first < height) {
			mvhline(y + row - first, x, ' ', width);
			mvaddnstr(y + row - first, x, line, (int)len);
		}
	}
	return row;
}

int tui_wrap(WINDOW *win, int y, int x, int width, int maxlines, const char *text)
{
	int rows = 0;
	for (const char *p = text; *p && rows < maxlines; rows++) {
		const char *line = p;
		size_t len = tui_wrap_row(p, width, &p);
		while (len > 0 && line[len - 1] == ' ')
			len--;
		if (win)
			mvwaddnstr(win, y + rows, x, line, (int)len);
	}
	return rows;
}
