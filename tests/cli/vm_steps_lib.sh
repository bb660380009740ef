# Sourced by tests/cli/test_vm_steps*.sh after tests/lib.sh and fake_lib.sh: the fake cloud
# whose new VMs become VM-lab sandboxes (vm_steps_hook.sh), the MinIO "binary" (the VM lab's
# S3 peer) served from a loopback http server, and answers for both VM steps.
own_netns
VMS="$TEST_TMP/vms"
VMSH="$SW_TOP/tests/vm/vm.sh"
HTTP_PID=""
mkdir -p "$VMS" "$TEST_TMP/www"

# vms_stop_vms: both sandboxes stopped (their disks detached).
vms_stop_vms() {
	"$VMSH" stop rabbitmq "$VMS/rabbitmq" >/dev/null 2>&1
	"$VMSH" stop minio "$VMS/minio" >/dev/null 2>&1
}
# vms_fake_stop: only the fake (fake_stop's `wait` would wait for the http server too).
vms_fake_stop() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=""
}
vms_stop() {
	vms_stop_vms
	vms_fake_stop
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
	HTTP_PID=""
	wait 2>/dev/null
}

# vms_fake MODE [EXTRA_SCRIPT_JSON_MEMBERS]: the fake with the hook in MODE.
vms_fake() {
	fake_start "{\"public_ips\": {\"rabbitmq-ip\": \"127.0.0.2\", \"minio-ip\": \"127.0.0.3\"},
	 \"vm_hook\": [\"$SW_TOP/tests/cli/vm_steps_hook.sh\", \"$1\", \"$$\", \"$VMS\"], \"vm_hook_timeout\": 60${2:+, $2}}"
	trap vms_stop EXIT
}

# vms_fresh MODE: a new fake with the hook in MODE, no sandboxes, a new state and vault.
vms_fresh() {
	vms_stop_vms
	vms_fake_stop
	rm -rf "$SW_STATE" "$VMS"/*
	vms_fake "$1"
	sp_vault
}

# vms_www: the MinIO stand-in at $TEST_TMP/www/minio on http://127.0.0.1:$HTTP_PORT/ (a 410 for /gone).
vms_www() {
	sh "$SW_TOP/tests/vm/make-minio-binary.sh" "$TEST_TMP/www/minio"
	MINIO_SHA=$(sha256sum "$TEST_TMP/www/minio" | cut -d' ' -f1)
	cat >"$TEST_TMP/www.py" <<'PY'
import http.server, sys, os
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/gone"):
            self.send_error(410, "Gone")
            return
        return super().do_GET()
    def log_message(self, *a):
        sys.stderr.write("www: %s\n" % (a[0] % a[1:]))
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
PY
	python3 "$TEST_TMP/www.py" "$TEST_TMP/www" "$TEST_TMP/www.port" 2>"$TEST_TMP/www.log" &
	HTTP_PID=$!
	wait_port_file "$TEST_TMP/www.port" "$HTTP_PID" "the MinIO download server" || finish
	HTTP_PORT=$(cat "$TEST_TMP/www.port")
}

# vms_answers FILE [JSON_MEMBERS_FOR_MINIO] [TOP_LEVEL_MEMBERS]: both VM steps' answers.
vms_answers() {
	answers "$1" service-principal
	python3 - "$1" "{${2:-}}" "{${3:-}}" "$HTTP_PORT" "$MINIO_SHA" <<'PY'
import json, sys
path, extra, top, port, sha = sys.argv[1:]
a = json.load(open(path))
a["minio"].update({"data_disk_gb": 4, "binary_url": "http://127.0.0.1:%s/minio" % port, "binary_sha256": sha})
a["minio"].update(json.loads(extra))
a.update(json.loads(top))
json.dump(a, open(path, "w"), indent=1)
PY
}

# vms_puts: "METHOD path" of every ARM PUT the fake accepted, sorted.
vms_puts() {
	fakectl get '/_fake/requests' 2>/dev/null | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["method"] == "PUT" and r.get("status", 0) < 300: print(r["path"].lower())' | sort
}
