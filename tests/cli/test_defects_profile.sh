# --state-dir: a directory the wizard did not create is never chmod-ed. One that others can
# write, or that another user owns, is refused with the reason and left as it was; so is
# an existing ~/.studioml for export experimenter.
. "$SW_TOP/tests/lib.sh"

mode() { stat -c %a "$1"; }

# A shared directory with the sticky bit (a private copy of /tmp's 1777).
mkdir "$TEST_TMP/shared" && chmod 1777 "$TEST_TMP/shared"
out=$("$SW_BIN" --state-dir "$TEST_TMP/shared" status 2>&1); rc=$?
check "a 1777 --state-dir is refused with exit 1 (got $rc)" [ $rc -eq 1 ]
check "  ...saying why and what to do" grep -qF -- "--state-dir $TEST_TMP/shared: writable by other users (mode 1777); choose a directory only you can write" <<<"$out"
check "  ...and keeps its mode and sticky bit" [ "$(mode "$TEST_TMP/shared")" = 1777 ]
check "  ...and nothing is written into it" [ -z "$(ls -A "$TEST_TMP/shared")" ]

# /tmp itself, for `status` (which only reads) and for a writer.
before=$(mode /tmp)
out=$("$SW_BIN" --state-dir /tmp status 2>&1); rc=$?
check "--state-dir /tmp is refused for status" bash -c '[ $1 -eq 1 ] && grep -qF -- "--state-dir /tmp: writable by other users (mode $2)" <<<"$3"' _ $rc "$before" "$out"
out=$(printf x | "$SW_BIN" --state-dir /tmp/ vault set a 2>&1); rc=$?
check "  ...and for vault set (exit $rc)" [ $rc -eq 1 ]
check "  .../tmp keeps its mode $before" [ "$(mode /tmp)" = "$before" ]

# Group-writable without the sticky bit.
mkdir "$TEST_TMP/grp" && chmod 775 "$TEST_TMP/grp"
out=$("$SW_BIN" --state-dir "$TEST_TMP/grp" status 2>&1); rc=$?
check "a group-writable --state-dir is refused" bash -c '[ $1 -eq 1 ] && grep -qF "writable by other users (mode 0775)" <<<"$2"' _ $rc "$out"
check "  ...and left at 0775" [ "$(mode "$TEST_TMP/grp")" = 775 ]

# Readable by others but writable only by us: used as it is, not tightened.
mkdir "$TEST_TMP/mine" && chmod 750 "$TEST_TMP/mine"
out=$("$SW_BIN" --state-dir "$TEST_TMP/mine" status 2>&1); rc=$?
check "an existing 0750 directory of ours is used (exit $rc)" [ $rc -eq 0 ]
check "  ...and left at 0750" [ "$(mode "$TEST_TMP/mine")" = 750 ]
printf '%s\n' "$out" >"$TEST_TMP/mine.out"
expect_absent "  ...without a message about its mode" 'mode' "$TEST_TMP/mine.out"

# A missing one is created 0700, parents included.
"$SW_BIN" --state-dir "$TEST_TMP/new/a/b" status >/dev/null 2>&1
check "a missing --state-dir is created 0700" [ "$(mode "$TEST_TMP/new/a/b")" = 700 ]

# export experimenter's ~/.studioml: an existing one, here a symlink to a shared 1777
# directory, is checked as --state-dir is and refused before anything is written.
mkdir -p "$TEST_TMP/exphome" "$TEST_TMP/expshared" && chmod 1777 "$TEST_TMP/expshared"
ln -s "$TEST_TMP/expshared" "$TEST_TMP/exphome/.studioml"
new_vault 2>/dev/null
out=$(HOME="$TEST_TMP/exphome" swp export experimenter 2>&1); rc=$?
check "export experimenter refuses a ~/.studioml others can write (exit $rc)" [ $rc -eq 1 ]
check "  ...saying why" grep -qF -- "export experimenter: $TEST_TMP/exphome/.studioml: writable by other users (mode 1777); choose a directory only you can write (or give --out FILE)" <<<"$out"
check "  ...and writes nothing there" [ -z "$(ls -A "$TEST_TMP/expshared")" ]

# Owned by another user: only root can make one to test with.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$TEST_TMP/theirs" && chmod 700 "$TEST_TMP/theirs" && chown nobody "$TEST_TMP/theirs"
	out=$("$SW_BIN" --state-dir "$TEST_TMP/theirs" status 2>&1); rc=$?
	check "a --state-dir owned by another user is refused" bash -c '[ $1 -eq 1 ] && grep -qF "theirs: owned by nobody (uid $(id -u nobody)), not by you" <<<"$2"' _ $rc "$out"
	check "  ...and left as it was" [ "$(stat -c %a:%U "$TEST_TMP/theirs")" = 700:nobody ]
else
	echo "# skip: the owned-by-another-user case needs root"
fi
finish
