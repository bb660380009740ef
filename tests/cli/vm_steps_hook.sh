#!/bin/bash
# The fake cloud's vm_hook for tests/cli/test_vm_steps*.sh: a new Azure VM becomes a VM-lab
# sandbox (tests/vm/vm.sh) at its public IP, from the custom data the wizard sent.
#   vm_steps_hook.sh MODE OWNER_PID STATE_BASE  VM_NAME CUSTOMDATA_FILE PUBLIC_IP [LUN:GB ...]
# MODE: normal | wrongkey (sshd gets another host key than the one handed over) |
#       fsdisk (minio's data disk already holds an ext4 filesystem) |
#       dpkgbusy (first boot: unattended-upgrades holds dpkg's lock until the test releases it)
set -u
mode=$1 owner=$2 base=$3 name=$4 ud=$5 ip=$6
shift 6
VM=$(cd "$(dirname "$0")/../vm" && pwd)/vm.sh
disk=()
[ $# -gt 0 ] && disk=(--disk 64)
busy=()
[ "$mode" = dpkgbusy ] && busy=(--dpkg-busy 600)
if [ "$mode" = wrongkey ]; then
	rm -f "$base/other-$name" "$base/other-$name.pub"
	ssh-keygen -q -t ed25519 -N '' -C other -f "$base/other-$name" || exit 1
	python3 - "$ud" "$base/other-$name" "$base/ud-$name" <<'PY' || exit 1
import sys
src, key, out = sys.argv[1:]
lines, res, skip = open(src).read().split("\n"), [], False
priv = open(key).read().rstrip("\n").split("\n")
pub = open(key + ".pub").read().strip()
for l in lines:
    if l.startswith("  ed25519_private:"):
        res.append("  ed25519_private: |")
        res += ["    " + p for p in priv]
        skip = True
        continue
    if skip and l.startswith("    "):
        continue
    skip = False
    if l.startswith("  ed25519_public:"):
        l = '  ed25519_public: "%s"' % pub
    res.append(l)
open(out, "w").write("\n".join(res))
PY
	ud="$base/ud-$name"
fi
"$VM" start "$name" "$ip" "$ud" "$base/$name" "${disk[@]}" "${busy[@]}" --owner "$owner" || exit 1
if [ "$mode" = fsdisk ] && [ ${#disk[@]} -gt 0 ]; then
	"$VM" exec "$name" "$base/$name" mkfs.ext4 -q -L olddata /dev/disk/azure/scsi1/lun0 || exit 1
	md5sum <"$base/$name/disk.img" >"$base/$name/disk.md5"
fi
exit 0
