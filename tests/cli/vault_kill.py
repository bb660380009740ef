"""kill -9 writers of the vault at random moments; after each, the vault must open with the
old or the new content and hold every acknowledged write. Prints ok/not ok lines."""
import json, os, random, signal, subprocess, sys, time

sw, state, passfile, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
keys = ["k0", "k1", "k2", "k3"]


# The passphrase file is fd 3 of every child, as --passphrase-fd 3 expects.
_pf = os.open(passfile, os.O_RDONLY)
os.dup2(_pf, 3)


def run(args, quiet=False):
    os.lseek(3, 0, os.SEEK_SET)
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen([sw, "--state-dir", state, "--passphrase-fd", "3"] + args,
                            stdin=subprocess.PIPE, stdout=out, stderr=out, pass_fds=(3,))


def export():
    p = run(["vault", "export", "--format", "json"])
    out, err = p.communicate(b"")
    if p.returncode != 0:
        return None, err.decode(errors="replace").strip()
    return {e["name"]: e.get("value", e.get("value_base64")) for e in json.loads(out)["entries"]}, ""


def set_value(key, value):
    p = run(["vault", "set", key], quiet=True)
    p.stdin.write(value.encode())
    p.stdin.close()
    return p


random.seed(int(os.environ.get("SW_SEED", "0")) or None)
# Time one complete write so kill moments cover a whole run, the save included.
t0 = time.monotonic()
p = set_value("k0", "warm")
p.wait()
span = (time.monotonic() - t0) * 1.5
acked = {"k0": "warm"}
killed = completed = durable_before_kill = 0
problem = None
for i in range(1, rounds + 1):
    k = keys[i % 4]
    v = "value-%d-%d" % (i, random.randrange(1 << 30))
    p = set_value(k, v)
    time.sleep(random.uniform(0, span))
    try:
        p.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    ok = p.returncode == 0
    completed += ok
    killed += not ok
    # The first write's time sets the span; a machine that gets busier (or idler) moves the
    # save, so the span follows what the kills hit: both sides of the save stay covered.
    if i % 10 == 0:
        if completed < i // 10:
            span *= 1.5
        elif killed < i // 3:
            span /= 1.5
    now, err = export()
    if now is None:
        problem = "round %d: the vault did not open: %s" % (i, err)
        break
    have = now.get(k)
    if ok and have != v:
        problem = "round %d: acknowledged write of %s lost (holds %r)" % (i, k, have)
        break
    if have not in (v, acked.get(k)):
        problem = "round %d: %s holds %r, neither old %r nor new %r" % (i, k, have, acked.get(k), v)
        break
    if not ok and have == v:
        durable_before_kill += 1
    acked[k] = have
    lost = [o for o in acked if o != k and now.get(o) != acked[o]]
    if lost:
        problem = "round %d: acknowledged %s lost" % (i, ",".join(lost))
        break

print("# %d rounds: %d killed (%d after the new content was durable), %d completed"
      % (rounds, killed, durable_before_kill, completed))
if problem:
    print("# " + problem)
print(("ok" if not problem else "not ok") +
      " - after %d writes killed at random moments the vault always opened with the old or the new content and every acknowledged write" % rounds)
print(("ok" if killed >= rounds // 10 and completed >= rounds // 40 else "not ok") +
      " - the kills landed both before and after the save (%d killed, %d completed)" % (killed, completed))
