# doc/studio-wizard.1: renders without a warning, has the sections a man page needs and the
# README's commands, and `make install` / `make uninstall` put it in / take it out of
# $(DESTDIR)$(PREFIX)/share/man/man1.
. "$SW_TOP/tests/lib.sh"

page="$SW_TOP/doc/studio-wizard.1"
check "the man page exists" [ -s "$page" ]
if command -v groff >/dev/null; then
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$page" > /dev/null 2> "$TEST_TMP/groff.err"; rc=$?
	groff -man -Tascii -P-cbou "$page" > "$TEST_TMP/page.txt" 2>/dev/null
	check "groff renders it (exit $rc)" [ $rc -eq 0 ]
	check "  ...without a warning: $(head -c 300 "$TEST_TMP/groff.err")" [ ! -s "$TEST_TMP/groff.err" ]
	for sec in NAME SYNOPSIS DESCRIPTION COMMANDS KEYS OPTIONS FILES "EXIT STATUS" EXAMPLES; do
		check "  ...with the section $sec" grep -q "^$sec\$" "$TEST_TMP/page.txt"
	done
	for word in "vault init" "vault export --format" "status" "plan --answers" "run --answers" \
		"--state-dir" "--passphrase-fd" "--cloud" "--ca-file" "--accept-state" "vault.sealed" "state.json" \
		"plan --answers FILE [--json]" "export experimenter [--out FILE]" "F1" "Shift-Tab, Up" "Ctrl-U"; do
		check "  ...naming $word" grep -qF -- "$word" "$TEST_TMP/page.txt"
	done
else
	echo "# skip: groff is not installed (package groff-base)"
fi
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$page" > "$TEST_TMP/man.txt" 2> "$TEST_TMP/man.err"
	check "man -l renders it without a warning" bash -c '[ -s "$1" ] && [ ! -s "$2" ]' _ "$TEST_TMP/man.txt" "$TEST_TMP/man.err"
fi

dest="$TEST_TMP/dest"   # not $d: check() uses that name
make -C "$SW_TOP" --no-print-directory BUILD="$SW_BUILD" DESTDIR="$dest" PREFIX=/usr install >"$TEST_TMP/make.out" 2>&1; rc=$?
check "make install DESTDIR=... succeeds (exit $rc)" [ $rc -eq 0 ]
check "  ...and puts the man page in \$(PREFIX)/share/man/man1, mode 0644" \
	bash -c 'cmp -s "$1" "$2/usr/share/man/man1/studio-wizard.1" && [ "$(stat -c %a "$2/usr/share/man/man1/studio-wizard.1")" = 644 ]' _ "$page" "$dest"
check "  ...and the binary in \$(PREFIX)/bin" [ -x "$dest/usr/bin/studio-wizard" ]
make -C "$SW_TOP" --no-print-directory BUILD="$SW_BUILD" DESTDIR="$dest" PREFIX=/usr uninstall >>"$TEST_TMP/make.out" 2>&1
check "make uninstall removes both" bash -c '[ ! -e "$1/usr/share/man/man1/studio-wizard.1" ] && [ ! -e "$1/usr/bin/studio-wizard" ]' _ "$dest"
finish
