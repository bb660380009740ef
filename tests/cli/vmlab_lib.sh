# Sourced by tests/cli/test_vmlab*.sh, the VM lab's own tests (tests/vm), two files that run
# side by side: test_vmlab.sh (a sandbox VM from cloud-config: sshd with the host key we handed
# over, sudo, rabbitmq-server through the systemctl stand-in) and test_vmlab_minio.sh (a loop disk
# partitioned and mounted inside, the S3 peer as the minio binary, a killed owner). Both check
# that nothing is left on the host afterwards. Sets T, VM, the keys and $T/ud.yaml; before: the
# host's view before any sandbox.
. "$SW_TOP/tests/lib.sh"
VM="$SW_TOP/tests/vm/vm.sh"
AWS=/usr/bin/aws
T=$TEST_TMP
R=127.0.1.2   # rabbitmq VM (addresses of its own: test files run in parallel)
M=127.0.1.3   # minio VM

if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
own_netns
for c in sshd ssh-keygen sgdisk mkfs.ext4 rabbitmq-server "$AWS" sudo unshare losetup; do
	command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || [ -x "/usr/sbin/$c" ] || { not_ok "missing $c (mk/deps.sh test)"; finish; }
done

cleanup() { "$VM" stop rabbitmq "$T/rmq" >/dev/null 2>&1; "$VM" stop minio "$T/minio" >/dev/null 2>&1; "$VM" stop orphan "$T/orphan" >/dev/null 2>&1; }
trap cleanup EXIT

# wait_for SECONDS CMD...: polls CMD until it succeeds (bounded).
wait_for() { t=$(( $1 * 10 )); shift; while [ $t -gt 0 ]; do "$@" && return 0; t=$((t - 1)); sleep 0.1; done; return 1; }
ms() { date +%s%3N; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
host_view() { # what this test may leave on the host: mounts and loop devices of its own files
	# (other test files run beside it and have their own)
	{ findmnt -l -n -o TARGET,SOURCE,FSTYPE | sort; losetup -l -n -O NAME,BACK-FILE; } | grep -F "$T"
}

for k in host other user; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$T/$k" || not_ok "ssh-keygen $k"; done
echo "$R $(cat "$T/host.pub")" >"$T/kh_rmq"
echo "$R $(cat "$T/other.pub")" >"$T/kh_wrong"
echo "$M $(cat "$T/host.pub")" >"$T/kh_minio"

cloud_config() { # the shape our wizard sends
	cat <<EOF
#cloud-config
ssh_keys:
  ed25519_private: |
$(sed 's/^/    /' "$T/host")
  ed25519_public: $(cat "$T/host.pub")
users:
  - name: azureuser
    sudo: ALL=(ALL) NOPASSWD:ALL
    shell: /bin/bash
    ssh_authorized_keys:
      - $(cat "$T/user.pub")
write_files:
  - path: /etc/vmlab-test.conf
    permissions: '0600'
    content: |
      written by cloud-init
runcmd:
  - [ sh, -c, "echo runcmd-ran > /var/tmp/runcmd-marker" ]
EOF
}
cloud_config >"$T/ud.yaml"
vssh() { # KNOWN_HOSTS ADDR CMD: ssh as the admin user, strict host key checking
	kh=$1 a=$2; shift 2
	ssh -F /dev/null -i "$T/user" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null \
		"azureuser@$a" "$@"
}

before=$(host_view)
# The view is filtered: it must come from tools that see the host (else "as before" proves nothing).
[ -n "$(findmnt -l -n)" ] && losetup -l >/dev/null 2>&1 || not_ok "findmnt/losetup show nothing of the host"
[ -z "$before" ] || not_ok "mounts or loop devices of this test before it started: $before"
# stopped NAME STATEDIR ADDR PID...: vm.sh stop leaves no process (PID... were the sandboxes'
# inits), no open port on ADDR, the host's mounts and loop devices as before, and stops again.
stopped() {
	local name=$1 dir=$2 addr=$3 t0 rc p gone=1
	shift 3
	t0=$(ms)
	"$VM" stop "$name" "$dir"; rc=$?
	echo "# vm.sh stop $name: $(( $(ms) - t0 )) ms"
	check "vm.sh stop $name succeeds" test $rc -eq 0
	for p in "$@"; do [ -e "/proc/$p" ] && gone=0; done
	check "no process of a sandbox of this test is left" test $gone = 1 -a -z "$(pgrep -f "vminit.py .*$T/")"
	check "no port of $name ($addr) is open" sh -c "! ss -Hltn | grep -qF '$addr:'"
	check "the host's mounts and loop devices are as before" test "$(host_view)" = "$before"
	check "vm.sh stop $name again is a no-op" "$VM" stop "$name" "$dir"
}
