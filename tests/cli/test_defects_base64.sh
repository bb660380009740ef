# vault export --format json: value_base64 (libsodium's encoder, in chunks of 3,072 bytes)
# decodes to each value exactly, at every padding length and across chunk boundaries.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
python3 - "$TEST_TMP" <<'PY'
import os, sys
for n in (1, 2, 3, 4, 5, 3071, 3072, 3073, 6145, 10000):
    data = b"\0" + os.urandom(n - 1) if n > 1 else b"\0"
    open(os.path.join(sys.argv[1], "v%d" % n), "wb").write(data)
PY
for n in 1 2 3 4 5 3071 3072 3073 6145 10000; do
	swp vault set "bin-$n" < "$TEST_TMP/v$n" || not_ok "vault set bin-$n"
done
swp vault export --format json > "$TEST_TMP/export.json" 2>/dev/null
check "every binary value decodes to its bytes" python3 - "$TEST_TMP" <<'PY'
import base64, json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "export.json")))
e = {x["name"]: x for x in d["entries"]}
ns = (1, 2, 3, 4, 5, 3071, 3072, 3073, 6145, 10000)
assert len([k for k in e if k.startswith("bin-")]) == len(ns), sorted(e)
for n in ns:
    want = open(os.path.join(sys.argv[1], "v%d" % n), "rb").read()
    got = e["bin-%d" % n]["value_base64"]
    assert base64.b64decode(got, validate=True) == want, n
    assert len(got) == (n + 2) // 3 * 4, (n, len(got))
PY
finish
