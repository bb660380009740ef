# state.json edited between runs: every output that reaches a script on a VM (the data disk's
# partition GUID and filesystem UUID, both VMs' public IPs) is given shell metacharacters
# (', ", $(), backticks, ;, newline) and the install resumed: nothing runs on the VM (the
# markers the injections would make do not exist) and the run names the field and the rule.
# Also the MinIO download: a private directory, nothing left in /var/tmp, files planted there
# by another user neither used nor touched. Real peers as in test_vm_steps.sh.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
vms_fake normal
vms_www
vms_answers "$TEST_TMP/a.json"
sp_vault
ST="$SW_STATE/state.json"
expect_exit 0 "run --until minio installs both VMs (the state to edit)" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio ||
	tail -n 20 "$TEST_TMP/out" "$TEST_TMP/err" | sed 's/^/#   /'
cp "$ST" "$TEST_TMP/good.json"
got=$("$VMSH" exec minio "$VMS/minio" sh -c 'ls -d /var/tmp/minio.* /var/tmp/studio-wizard-minio.* 2>/dev/null; echo vm-answered')
check "the MinIO download left nothing in /var/tmp (got: $(echo $got))" test "$got" = vm-answered

# edit [KEY VALUE] ACTION...: state.json with outputs.KEY set to VALUE (KEY "": none) and the
# ACTIONs to run again on the next run (their step pending again).
edit() {
	python3 - "$ST" "$@" <<'PY'
import json, sys
path, key, value, acts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
s = json.load(open(path))
if key:
    s["outputs"][key] = value
for a in acts:
    s["actions"].pop(a, None)
    for st in s["steps"]:
        if st["step"] == a.split(".")[0]:
            st["status"] = "pending"
json.dump(s, open(path, "w"), indent=1)
PY
	# Signed as the wizard signs (tests/lib.sh): what refuses the value below is its format
	# check, not the state's MAC (test_state_tamper shows the MAC alone).
	sign_state
}
# forget ACTION...: the actions run again on the next run.
forget() { edit "" "" "$@"; }
# tamper KEY VALUE ACTION: the good state with outputs.KEY set to VALUE and ACTION to run again.
tamper() {
	cp "$TEST_TMP/good.json" "$ST"
	edit "$1" "$2" "$3"
}
# on_vm VM CMD: a command inside the sandbox; its output proves the exec itself worked.
on_vm() { vm=$1; shift; "$VMSH" exec "$vm" "$VMS/$vm" sh -c "$*"; }

M=/var/tmp/pwned
python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))["outputs"]
for k in ("minio.data_partuuid", "minio.data_fsuuid"): print(k, o[k])' "$TEST_TMP/good.json" >"$TEST_TMP/good.uuids"
# Each a breakout of the old '...' template ('{PARTUUID}') with one kind of metacharacter.
n=0
for key in minio.data_partuuid minio.data_fsuuid minio.public_ip rabbitmq.public_ip; do
	case $key in
	minio.data_*) good=$(sed -n "s/^$key //p" "$TEST_TMP/good.uuids")
		vm=minio act=minio.disk rule='must be a UUID in lower case' ;;
	minio.public_ip) good=127.0.0.3 vm=minio act=minio.disk rule='must be an IPv4 address' ;;
	rabbitmq.public_ip) good=127.0.0.2 vm=rabbitmq act=rabbitmq.user rule='must be an IPv4 address' ;;
	esac
	for kind in quote dquote dollar backtick semicolon newline; do
		n=$((n + 1))
		case $kind in
		quote) v="$good'; touch $M$n; : '" ;;
		dquote) v="$good\"; touch $M$n; : \"" ;;
		dollar) v="$good'\$(touch $M$n)'" ;;
		backtick) v="$good'\`touch $M$n\`'" ;;
		semicolon) v="$good;touch $M$n" ;;
		newline) v="$good'
touch $M$n
: '" ;;
		esac
		tamper "$key" "$v" "$act"
		expect_exit 1 "$key with $kind: the run stops" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
		check "  ...naming outputs.\"$key\" and why it was refused" sh -c "grep -F 'refused outputs.\"$key\" in state.json: $rule' \
			'$TEST_TMP/out' | grep -q 'nothing was run on the VM'"
		got=$(on_vm "$vm" "ls -d $M$n 2>/dev/null; echo vm-answered")
		check "  ...and nothing ran on the $vm VM ($M$n does not exist)" test "$got" = vm-answered
	done
done

# The answers file: each answer that reaches a VM (in a script, a path, a login or on stdin)
# with metacharacters is refused by its validator before anything starts, naming the key.
cp "$TEST_TMP/good.json" "$ST"
forget minio.binary rabbitmq.user
# bad_answer KEY VALUE RULE
bad_answer() {
	n=$((n + 1))
	python3 - "$TEST_TMP/a.json" "$TEST_TMP/bad.json" "$1" "${2//@M@/$M$n}" <<'PY'
import json, sys
src, dst, key, value = sys.argv[1:]
a = json.load(open(src))
sec, k = key.split(".")
a[sec][k] = value
json.dump(a, open(dst, "w"), indent=1)
PY
	expect_exit 2 "answers $1 with ${4}: refused" runp --answers "$TEST_TMP/bad.json" --cloud "$FAKE_CLOUD" --until minio
	check "  ...naming $1: $3" grep -qF "$1: $3" "$TEST_TMP/err"
	got=$(on_vm minio "ls -d $M$n 2>/dev/null; echo vm-answered")$(on_vm rabbitmq "ls -d $M$n 2>/dev/null")
	check "  ...and nothing ran on either VM ($M$n does not exist)" test "$got" = vm-answered
}
bad_answer minio.binary_sha256 "$MINIO_SHA'; touch @M@; : '" 'must be a sha256' "' and ;"
bad_answer minio.binary_url "http://127.0.0.1:$HTTP_PORT/minio'\"\$(touch @M@)\"'" 'must be an http:// or https:// URL' "', \" and \$()"
bad_answer minio.binary_url "http://127.0.0.1:$HTTP_PORT/minio?\`touch @M@\`" 'must be an http:// or https:// URL' 'backticks'
bad_answer minio.admin_user "azureuser\$(touch @M@)" 'must be 1-32 lower-case letters' '$()'
bad_answer minio.port "9000;touch @M@" 'must be a whole number' ';'
bad_answer rabbitmq.admin_user "azureuser
touch @M@" 'must not hold control characters' 'a newline'
bad_answer rabbitmq.amqp_user "studio\"ml\$(touch @M@)" "must be 1-64 letters" '" and $()'
# $() and ; are URL characters: such a URL is valid, and reaches curl as one literal word.
n=$((n + 1))
url="http://127.0.0.1:$HTTP_PORT/minio?a=\$(touch\$IFS$M$n);touch\$IFS$M$n"
python3 - "$TEST_TMP/a.json" "$TEST_TMP/url.json" "$url" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); a["minio"]["binary_url"] = sys.argv[3]
json.dump(a, open(sys.argv[2], "w"), indent=1)
PY
on_vm minio "rm -f /usr/local/bin/minio"
expect_exit 0 "a valid URL holding \$() and ; is downloaded" runp --answers "$TEST_TMP/url.json" --cloud "$FAKE_CLOUD" --until minio ||
	tail -n 20 "$TEST_TMP/out" | sed 's/^/#   /'
check "  ...the http server saw the literal query" grep -qF "GET /minio?a=\$(touch\$IFS$M$n);touch\$IFS$M$n " "$TEST_TMP/www.log"
got=$(on_vm minio "ls -d $M$n 2>/dev/null; echo vm-answered")
check "  ...and nothing ran on the VM ($M$n does not exist)" test "$got" = vm-answered

# The good state again: the download goes to a private directory. Planted by another user:
# /var/tmp/minio.download (a symlink to a file root must not write) and /var/tmp/minio.curl.
cp "$TEST_TMP/good.json" "$ST"
forget minio.binary
on_vm minio "rm -f /usr/local/bin/minio; ln -s /etc/planted-target /var/tmp/minio.download &&
	echo planted >/var/tmp/minio.curl && chown -h nobody /var/tmp/minio.download /var/tmp/minio.curl"
expect_exit 0 "with the state as the install left it, the binary is downloaded again" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio || tail -n 20 "$TEST_TMP/out" | sed 's/^/#   /'
check "  ...on the VM, sha256 checked" grep -q 'downloaded on the VM, sha256 checked, installed' "$TEST_TMP/out"
check "  ...the installed binary is the published one" \
	test "$(on_vm minio sha256sum /usr/local/bin/minio | cut -d' ' -f1)" = "$MINIO_SHA"
got=$(on_vm minio "stat -c '%U %N' /var/tmp/minio.download; stat -c '%U %s' /var/tmp/minio.curl; test -e /etc/planted-target || echo no-target")
check "  ...the planted files were neither used nor touched (got: $(echo $got))" \
	test "$(echo $got)" = "nobody '/var/tmp/minio.download' -> '/etc/planted-target' nobody 8 no-target"
got=$(on_vm minio "ls -d /var/tmp/studio-wizard-minio.* 2>/dev/null; echo vm-answered")
check "  ...and its private directory is gone" test "$got" = vm-answered
finish
