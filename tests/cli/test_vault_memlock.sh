# A vault value larger than the soft RLIMIT_MEMLOCK is still locked in memory: secrets/secmem.c
# raises the soft limit to the hard one. Measured as VmLck of `vault get` while it is still
# writing the value (its stdout pipe is full), started with soft 1 MiB and the hard limit as is,
# and without CAP_IPC_LOCK.
. "$SW_TOP/tests/lib.sh"

hard=$(ulimit -Hl)
if [ "$hard" != unlimited ] && [ "$hard" -lt 8192 ]; then
	echo "# skip: the hard RLIMIT_MEMLOCK ($hard KiB) is below the 8 MiB this test needs"
	finish
fi
new_vault 2>/dev/null
head -c $((2 * 1024 * 1024)) /dev/urandom > "$TEST_TMP/value"
swp vault set big < "$TEST_TMP/value"
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
python3 - "$SW_BIN" "$SW_STATE" "$TEST_TMP/.pass" "$TEST_TMP/value" > "$TEST_TMP/lck" <<'PY'
import ctypes, os, resource, subprocess, sys
sw, state, passfile, value = sys.argv[1:]
hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)[1]
PR_CAPBSET_DROP, CAP_IPC_LOCK = 24, 14
libc = ctypes.CDLL(None, use_errno=True)

def limits():
    # CAP_IPC_LOCK (root has it) locks without limit: gone from the bounding set, exec drops it.
    libc.prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0)
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (1024 * 1024, hard))
    os.dup2(pf.fileno(), 3)

with open(passfile, "rb") as pf:
    p = subprocess.Popen([sw, "--state-dir", state, "--passphrase-fd", "3", "vault", "get", "big"],
                         stdout=subprocess.PIPE, pass_fds=(3,), preexec_fn=limits)
    first = p.stdout.read(1)   # it holds the value now, blocked on the full pipe
    lck, cap, soft = -1, 1, -1
    with open("/proc/%d/limits" % p.pid) as f:
        for line in f:
            if line.startswith("Max locked memory"):
                v = line.split()[3]
                soft = -2 if v == "unlimited" else int(v)
    with open("/proc/%d/status" % p.pid) as f:
        for line in f:
            if line.startswith("VmLck:"):
                lck = int(line.split()[1])
            if line.startswith("CapEff:"):
                cap = int(line.split()[1], 16) >> CAP_IPC_LOCK & 1
    rest = p.stdout.read()
    p.wait()
    same = first + rest == open(value, "rb").read()
print(lck, "same" if same and p.returncode == 0 else "differs", "capped" if cap else "limited",
      "raised" if soft == (-2 if hard == resource.RLIM_INFINITY else hard) else "soft=%d" % soft)
PY
read -r lck same limited raised < "$TEST_TMP/lck"
check "vault get still gives the value" [ "$same" = same ]
check "vault get ran without CAP_IPC_LOCK (which ignores the limit)" [ "$limited" = limited ]
check "it raised its soft RLIMIT_MEMLOCK from 1 MiB to the hard limit ($raised)" [ "$raised" = raised ]
if grep -qa __asan_init "$SW_BIN"; then
	echo "# skip: VmLck under AddressSanitizer (make asan), where mlock locks nothing"
else
	check "more than the 1 MiB soft limit is locked: the 2 MiB value (VmLck ${lck} kB)" [ "${lck:-0}" -ge 2048 ]
fi
finish
