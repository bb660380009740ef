#!/bin/bash
# The VM lab: a stand-in for an Azure Ubuntu VM on this machine (tests only; run as root).
#
#   vm.sh start NAME ADDR USERDATA_FILE STATEDIR [--disk SIZE_MB] [--owner PID] [--timeout S] [--dpkg-busy S]
#       Starts the sandbox: sshd on ADDR:22 (a 127.0.0.0/8 address) in its own mount, pid
#       and uts namespaces (hostname NAME), root = overlay of / (writes land in a tmpfs
#       upper; the host stays untouched), with the cloud-config USERDATA_FILE applied
#       (tests/vm/cloudconfig.py says which subset). --disk attaches a sparse SIZE_MB file
#       as a loop device, seen inside as /dev/disk/azure/scsi1/lun0 (partitions: -partN).
#       --owner PID: the sandbox stops by itself when process PID ends (a killed test).
#       --dpkg-busy S: as Ubuntu's unattended-upgrades after a first boot, a process named
#       unattended-upgr holds dpkg's lock for S seconds, or until /run/vmlab/dpkg-release exists.
#       Returns once sshd accepts connections; prints the host pid of the sandbox's init.
#   vm.sh stop NAME STATEDIR       kills everything inside, detaches the disk; idempotent.
#   vm.sh exec NAME STATEDIR CMD...  runs CMD inside as root (clean env, stdin passed).
#   vm.sh pid NAME STATEDIR        prints the init's pid when the sandbox runs (exit 1 if not).
#
# STATEDIR holds: pid, loop (the loop device), disk.img, log/ (init.log, sshd.log; seen
# inside as /var/log/vmlab). Services started by systemctl log to /var/log/<unit>.log inside.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
VM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "vm.sh: $*" >&2; exit 1; }

# init_pid STATEDIR: the running init's pid, or nothing.
init_pid() {
	local p
	p=$(cat "$1/pid" 2>/dev/null) || return 1
	[ -n "$p" ] && [ -r "/proc/$p/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "vminit.py init .* $1 " || return 1
	echo "$p"
}

# port_open ADDR PORT: something accepts connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

detach_disk() { # STATEDIR: every loop device backed by its disk.img goes
	local s=$1 dev i
	[ -e "$s/disk.img" ] || return 0
	for i in $(seq 100); do
		devs=$(losetup -j "$s/disk.img" -O NAME -n 2>/dev/null)
		[ -z "$devs" ] && return 0
		for dev in $devs; do losetup -d "$dev" 2>/dev/null; done
		sleep 0.05
	done
	echo "vm.sh: loop device(s) $devs for $s/disk.img still attached" >&2
	return 1
}

vm_stop() { # NAME STATEDIR
	local s p i
	s=$(realpath -m "$2")
	if p=$(init_pid "$s"); then
		kill -TERM "$p" 2>/dev/null
		for i in $(seq 200); do [ -e "/proc/$p" ] || break; sleep 0.05; done
		[ -e "/proc/$p" ] && kill -KILL "$p" 2>/dev/null
		for i in $(seq 200); do [ -e "/proc/$p" ] || break; sleep 0.05; done
		[ -e "/proc/$p" ] && die "$1: init $p does not go away"
	fi
	rm -f "$s/pid"
	detach_disk "$s" || exit 1
	rm -f "$s/loop"
}

vm_start() { # NAME ADDR USERDATA STATEDIR [options]
	[ $# -ge 4 ] || die "usage: vm.sh start NAME ADDR USERDATA_FILE STATEDIR [--disk SIZE_MB] [--owner PID] [--timeout S] [--dpkg-busy S]"
	local name=$1 addr=$2 ud=$3 s disk="" owner=0 timeout=60 loop=- busy=0 upid p i
	s=$(realpath -m "$4")
	shift 4
	while [ $# -gt 0 ]; do
		case $1 in
		--disk) disk=$2; shift 2 ;;
		--owner) owner=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--dpkg-busy) busy=$2; shift 2 ;;
		*) die "unknown option $1" ;;
		esac
	done
	[ "$(id -u)" -eq 0 ] || die "must run as root"
	case $name in *[!a-zA-Z0-9-]* | "") die "NAME must be letters, digits and '-'" ;; esac
	case $addr in 127.*) ;; *) die "ADDR must be in 127.0.0.0/8 (got $addr)" ;; esac
	[ -r "$ud" ] || die "cannot read $ud"
	ud=$(realpath "$ud")
	init_pid "$s" >/dev/null && die "$name already runs in $s"
	port_open "$addr" 22 && die "$addr:22 is taken already"
	mkdir -p "$s/ovl" "$s/root" "$s/log" || die "cannot create $s"
	if [ -n "$disk" ]; then
		rm -f "$s/disk.img"
		truncate -s "${disk}M" "$s/disk.img" || die "cannot create $s/disk.img"
		loop=$(losetup -f --show -P "$s/disk.img") || die "losetup failed"
		echo "$loop" >"$s/loop"
	fi
	case $busy in '' | *[!0-9]*) die "--dpkg-busy takes whole seconds (got $busy)" ;; esac
	VMLAB_DPKG_BUSY=$busy setsid "$PY" "$HERE/vminit.py" launch "$name" "$addr" "$ud" "$s" "$loop" "$owner" \
		</dev/null >"$s/log/init.log" 2>&1 &
	upid=$!
	p=""
	for i in $(seq $((timeout * 20))); do
		p=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | awk '{print $1}')
		[ -n "$p" ] && break
		[ -e "/proc/$upid" ] || break
		sleep 0.05
	done
	[ -n "$p" ] || { cat "$s/log/init.log" >&2; vm_stop "$name" "$s"; die "$name: init did not start"; }
	echo "$p" >"$s/pid"
	for i in $(seq $((timeout * 20))); do
		port_open "$addr" 22 && { echo "$p"; return 0; }
		[ -e "/proc/$p" ] || break
		sleep 0.05
	done
	cat "$s/log/init.log" >&2
	vm_stop "$name" "$s"
	die "$name: sshd did not come up on $addr:22"
}

vm_exec() { # NAME STATEDIR CMD...
	[ $# -ge 3 ] || die "usage: vm.sh exec NAME STATEDIR CMD..."
	local s p
	s=$(realpath -m "$2")
	shift 2
	p=$(init_pid "$s") || die "no sandbox runs in $s"
	exec nsenter -t "$p" -m -u -p -r -w -- /usr/bin/env -i PATH="$VM_PATH" HOME=/root LANG=C.UTF-8 "$@"
}

cmd=${1:-}
[ $# -ge 1 ] && shift
case $cmd in
start) vm_start "$@" ;;
stop) [ $# -eq 2 ] || die "usage: vm.sh stop NAME STATEDIR"; vm_stop "$@" ;;
exec) vm_exec "$@" ;;
pid) [ $# -eq 2 ] || die "usage: vm.sh pid NAME STATEDIR"; init_pid "$(realpath -m "$2")" ;;
*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
