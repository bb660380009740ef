# Every single-byte flip of a small vault gives exit 3 or 4 (never a crash, never output);
# truncation at every length gives exit 4; a newer format gives its own exit 7.
. "$SW_TOP/tests/lib.sh"

new_vault 2>/dev/null
printf 'guest-password' | swp vault set rabbitmq-password --kind password
printf 'AKIA-minio' | swp vault set minio-access-key --kind access-key
cp "$SW_STATE/vault.sealed" "$TEST_TMP/good"
size=$(stat -c %s "$TEST_TMP/good")
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"

# One damaged copy per position, each in its own state dir, opened by `vault export`, two at
# a time. A line per case: MODE N EXIT STDOUT-BYTES STDERR (MODE flip: byte N xor-ed with one
# bit; cut: the first N bytes kept).
python3 - "$SW_BIN" "$TEST_TMP" <<'PY'
import os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
sw, tmp = sys.argv[1], sys.argv[2]
good = open(tmp + "/good", "rb").read()


def one(mode, n):
    d = "%s/d/%s-%d" % (tmp, mode, n)
    os.makedirs(d, mode=0o700)
    b = bytearray(good)
    if mode == "flip":
        b[n] ^= 1 << (n % 8)
    else:
        b = b[:n]
    with open(d + "/vault.sealed", "wb") as f:
        f.write(b)
    pf = os.open(tmp + "/.pass", os.O_RDONLY)
    try:
        p = subprocess.run([sw, "--state-dir", d, "--passphrase-fd", str(pf), "vault", "export", "--format", "json"],
                           stdin=subprocess.DEVNULL, capture_output=True, pass_fds=(pf,))
    finally:
        os.close(pf)
    err = p.stderr[:200].decode(errors="replace").replace("\n", " ")
    return "%s %d %d %d %s\n" % (mode, n, p.returncode, len(p.stdout), err)


for mode, name in (("flip", "flips"), ("cut", "cuts")):
    with ThreadPoolExecutor(2) as pool:
        lines = list(pool.map(lambda n: one(mode, n), range(len(good))))
    with open("%s/%s" % (tmp, name), "w") as f:
        f.writelines(lines)
PY

total=$(wc -l < "$TEST_TMP/flips")
bad=$(awk '$3 != 3 && $3 != 4' "$TEST_TMP/flips")
check "all $total single-byte flips exit 3 or 4" [ -z "$bad" ] || echo "$bad" | head -5
leak=$(awk '$4 > 0' "$TEST_TMP/flips")
check "  ...and none of them prints anything on stdout" [ -z "$leak" ]
expect_every "  ...each with a message naming the file" 'vault\.sealed: ' "$TEST_TMP/flips"
check "flips in the header are reported as a damaged header" grep -q '^flip 20 4 .*damaged header' "$TEST_TMP/flips"
check "flips in the body are reported as tampered" grep -q "^flip $((size - 5)) 4 .*tampered" "$TEST_TMP/flips"

total=$(wc -l < "$TEST_TMP/cuts")
bad=$(awk '$3 != 4' "$TEST_TMP/cuts")
check "truncation at all $total lengths exits 4" [ -z "$bad" ] || echo "$bad" | head -5
expect_every "  ...each reported as truncated" 'truncated' "$TEST_TMP/cuts"

# A genuine newer format (valid checksum) has its own message and exit code.
python3 - "$TEST_TMP/good" "$TEST_TMP/newer/vault.sealed" <<'PY'
import hashlib, os, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[8] = 2
b[104:120] = hashlib.blake2b(bytes(b[:104]), digest_size=16).digest()
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
open(sys.argv[2], "wb").write(b)
PY
out=$("$SW_BIN" --state-dir "$TEST_TMP/newer" --passphrase-fd 3 vault list 3<"$TEST_TMP/.pass" 2>&1); rc=$?
check "a vault from a newer format version exits 7" [ $rc -eq 7 ]
check "  ...telling the operator to upgrade" grep -q "newer studio-wizard.*upgrade" <<<"$out"
finish
