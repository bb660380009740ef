# The vault commands as an operator uses them: exit codes, messages, modes.
. "$SW_TOP/tests/lib.sh"

expect_exit 0 "vault init creates a vault" swp vault init --kdf interactive
check "state directory is mode 0700" [ "$(stat -c %a "$SW_STATE")" = 700 ]
check "vault.sealed is mode 0600" [ "$(stat -c %a "$SW_STATE/vault.sealed")" = 600 ]
check "state.json is mode 0600" [ "$(stat -c %a "$SW_STATE/state.json")" = 600 ]
out=$(swp vault init --kdf interactive 2>&1); rc=$?
check "vault init refuses to replace an existing vault" [ $rc -eq 1 ]
check "  ...and says so" grep -q "already exists" <<<"$out"

printf 'p4ss\0word\n' | swp vault set rabbitmq-password --kind password 2>"$TEST_TMP/set.err"
check "vault set stores a value read from stdin" [ $? -eq 0 ]
check "  ...and says what it sealed (name, kind, size, step), never the value" \
	grep -q "^studio-wizard: sealed rabbitmq-password (password, 10 bytes, step manual) in .*vault.sealed\$" "$TEST_TMP/set.err"
printf 'p4ss\0word\n' | swp vault set rabbitmq-password --kind password 2>"$TEST_TMP/set2.err"
check "  ...a second time: replaced" grep -q "^studio-wizard: replaced rabbitmq-password" "$TEST_TMP/set2.err"
got=$(swp vault get rabbitmq-password | od -An -c | tr -s ' ')
check "vault get returns the bytes as they were, NUL and newline included" \
	[ "$got" = " p 4 s s \0 w o r d \n" ]
printf 'x' | "$SW_BIN" vault set token-a --passphrase-fd 3 --state-dir "$SW_STATE" --kind token 3<<<"$PASS"
check "--passphrase-fd works in any position on the line" [ "$(swp vault get token-a)" = x ]

swp vault list >"$TEST_TMP/list"
check "vault list shows name, kind and step" grep -Eq '^rabbitmq-password +password +manual +20[0-9-]+T' "$TEST_TMP/list"
expect_absent "vault list never shows a value" 'p4ss' "$TEST_TMP/list"

out=$(swp vault get nothing-here 2>&1); rc=$?
check "vault get of a missing entry exits 6" [ $rc -eq 6 ]
check "  ...naming the entry" grep -q "nothing-here: no such entry" <<<"$out"
expect_exit 6 "vault rm of a missing entry exits 6" swp vault rm nothing-here
expect_exit 0 "vault rm removes an entry" swp vault rm token-a 2>"$TEST_TMP/rm.err"
check "  ...and says so" grep -q "^studio-wizard: removed token-a from .*vault.sealed\$" "$TEST_TMP/rm.err"
expect_exit 6 "  ...and it is gone" swp vault get token-a

out=$(printf 'wrong horse\n' | "$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 0 vault list 2>&1); rc=$?
check "a wrong passphrase exits 3" [ $rc -eq 3 ]
check "  ...with a message that says so and names the file" grep -q "vault.sealed: wrong passphrase" <<<"$out"

out=$(printf v | swp vault set 'bad name' 2>&1); rc=$?
check "an invalid entry name exits 2 with the rule" [ $rc -eq 2 ]
check "  ...naming the field" grep -q "name: 1-128 characters" <<<"$out"
out=$(printf v | swp vault set ok-name --kind banana 2>&1); rc=$?
check "an unknown kind exits 2 naming --kind" bash -c '[ $1 -eq 2 ] && grep -q -- "--kind: must be one of" <<<"$2"' _ $rc "$out"
expect_exit 2 "an unknown command exits 2" sw vault fly
expect_exit 2 "an unknown option exits 2" sw --bogus status
out=$("$SW_BIN" --version); check "--version prints the version" grep -q '^studio-wizard [0-9]' <<<"$out"

printf "it's \"quoted\"\nand multi-line" | swp vault set Shell.Val-1 --kind other
env_out=$(swp vault export --format env 2>"$TEST_TMP/export.err")
check "export env leaves out a value holding NUL bytes and says why" grep -q "rabbitmq-password: holds NUL bytes" "$TEST_TMP/export.err"
check "export warns that it prints secrets" grep -q "warning: printing 2 secrets in clear text" "$TEST_TMP/export.err"
check "export env quotes values so a shell reads them back unchanged" \
	bash -c 'eval "$1"; [ "$SHELL_VAL_1" = "$(printf "it'"'"'s \"quoted\"\nand multi-line")" ]' _ "$env_out"
json_out=$(swp vault export --format json 2>/dev/null)
check "export json is valid JSON with every entry" python3 -c '
import json,sys,base64
d=json.loads(sys.argv[1]); e={x["name"]:x for x in d["entries"]}
assert base64.b64decode(e["rabbitmq-password"]["value_base64"])==b"p4ss\0word\n"
assert e["Shell.Val-1"]["value"]=="it'"'"'s \"quoted\"\nand multi-line"
assert e["rabbitmq-password"]["kind"]=="password"' "$json_out"
expect_exit 2 "export without a format exits 2" swp vault export

printf 'new passphrase 2\n' > "$TEST_TMP/newpass"
expect_exit 0 "vault rekey takes the new passphrase from the next line" \
	bash -c 'cat "$1" "$2" | "$SW_BIN" --state-dir "$3" --passphrase-fd 0 vault rekey --kdf interactive' _ "$TEST_TMP/.pass" "$TEST_TMP/newpass" "$SW_STATE"
# swp writes $PASS; the old passphrase must now fail and the new one work.
expect_exit 3 "  ...the old passphrase no longer opens it" swp vault list
check "  ...the new one does, with the entries kept" bash -c '"$SW_BIN" --state-dir "$1" --passphrase-fd 3 vault get Shell.Val-1 3<"$2" | grep -q quoted' _ "$SW_STATE" "$TEST_TMP/newpass"

# Permissions: an existing directory is never changed (tests/cli/test_defects_profile.sh
# covers the ones refused); a new one under umask 000 is private.
mkdir -p "$TEST_TMP/loose" && chmod 755 "$TEST_TMP/loose"
"$SW_BIN" --state-dir "$TEST_TMP/loose" status >/dev/null 2>&1
check "an existing profile directory that others can only read is left at 0755" [ "$(stat -c %a "$TEST_TMP/loose")" = 755 ]
(umask 000; printf '%s\n' "$PASS" | "$SW_BIN" --state-dir "$TEST_TMP/u0/p" --passphrase-fd 0 vault init --kdf interactive 2>/dev/null)
check "under umask 000 the directory is still 0700" [ "$(stat -c %a "$TEST_TMP/u0/p")" = 700 ]
check "  ...and the vault 0600" [ "$(stat -c %a "$TEST_TMP/u0/p/vault.sealed")" = 600 ]
check "  ...and the state 0600" [ "$(stat -c %a "$TEST_TMP/u0/p/state.json")" = 600 ]

# Default location follows XDG_STATE_HOME and the profile name.
printf '%s\n' "$PASS" | XDG_STATE_HOME="$TEST_TMP/xdg" "$SW_BIN" --profile team-b --passphrase-fd 0 vault init --kdf interactive 2>/dev/null
check "the default state directory is \$XDG_STATE_HOME/studio-wizard/<profile>" [ -f "$TEST_TMP/xdg/studio-wizard/team-b/vault.sealed" ]
printf '%s\n' "$PASS" | env -u XDG_STATE_HOME HOME="$TEST_TMP/home" "$SW_BIN" --passphrase-fd 0 vault init --kdf interactive 2>/dev/null
check "  ...else ~/.local/state/studio-wizard/default" [ -f "$TEST_TMP/home/.local/state/studio-wizard/default/vault.sealed" ]
out=$("$SW_BIN" --profile ../evil status 2>&1); rc=$?
check "a profile name with a slash is refused with the rule (exit 2)" bash -c '[ $1 -eq 2 ] && grep -q -- "--profile:" <<<"$2"' _ $rc "$out"
out=$(printf 'short\n' | "$SW_BIN" --state-dir "$TEST_TMP/short" --passphrase-fd 0 vault init 2>&1); rc=$?
check "a passphrase under 8 characters is refused at init, naming the rule" bash -c '[ $1 -ne 0 ] && grep -q "at least 8" <<<"$2"' _ $rc "$out"
finish
