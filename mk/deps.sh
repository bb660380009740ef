#!/bin/sh
# Installs what the build (or the tests) need when it is missing, and says so.
# usage: mk/deps.sh build|test|fuzz
# Debian 12 is the supported build host; elsewhere it names what is missing.
set -u
what=${1:-build}
missing=""

need_pc() {  # pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_file() { # path, Debian package: for programs another PATH entry may shadow (pyenv's aws)
	[ -x "$1" ] || missing="$missing $2"
}

need_cmd cc gcc
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
	need_pc ncursesw libncurses-dev
	need_pc libcurl libcurl4-openssl-dev
	need_pc libcjson libcjson-dev
	need_pc libssh2 libssh2-1-dev
	need_pc libsodium libsodium-dev
	need_pc libcrypto libssl-dev
else
	missing="$missing libncurses-dev libcurl4-openssl-dev libcjson-dev libssh2-1-dev libsodium-dev libssl-dev"
fi
if [ "$what" = test ]; then
	if command -v pkg-config >/dev/null 2>&1; then
		need_pc cmocka libcmocka-dev
	else
		missing="$missing libcmocka-dev"
	fi
	need_cmd tmux tmux
	need_cmd python3 python3
	need_cmd timeout coreutils
	need_cmd ps procps
	need_cmd openssl openssl
	need_cmd ssh-keygen openssh-client
	need_cmd valgrind valgrind
	need_cmd curl curl
	# The VM lab (tests/vm): sandbox VMs with sshd, sudo, RabbitMQ, a loop disk, the aws CLI.
	need_file /usr/sbin/sshd openssh-server
	need_file /usr/bin/sudo sudo
	need_file /usr/sbin/rabbitmq-server rabbitmq-server
	need_file /usr/bin/aws awscli
	need_file /usr/sbin/sgdisk gdisk
	need_file /usr/sbin/sfdisk fdisk
	need_file /usr/sbin/partprobe parted
	need_file /usr/sbin/mkfs.ext4 e2fsprogs
	need_file /usr/sbin/losetup mount
	need_file /usr/bin/partx util-linux
	need_file /usr/bin/unshare util-linux
	need_file /usr/bin/nsenter util-linux
	need_file /usr/bin/ss iproute2
	# The VM lab's security groups and the cluster's outbound IP (tests/vm/nethook.py).
	need_file /usr/sbin/nft nftables
	need_cmd kubectl kubectl   # kubernetes-client when the archive has no kubectl
	# The fake Kubernetes API server (tests/fake/fakekube.mjs), its schema package, and Azure's
	# SDK models for the fake cloud (tests/fake/azure_models.mjs).
	need_cmd node nodejs
	need_cmd npm npm
	python3 -c 'import yaml' 2>/dev/null || missing="$missing python3-yaml"
fi

# make fuzz: clang and its libFuzzer runtime. Debian 12's clang only recommends the runtime
# (libclang-rt-14-dev), which --no-install-recommends leaves out: try a link to know.
if [ "$what" = fuzz ]; then
	if ! command -v clang >/dev/null 2>&1; then
		missing="$missing clang libclang-rt-14-dev"
	else
		probe=$(mktemp -d "${TMPDIR:-/tmp}/sw-deps.XXXXXX")
		printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
			'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
			'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' >"$probe/f.c"
		if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/f" "$probe/f.c" >/dev/null 2>&1; then
			major=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
			missing="$missing libclang-rt-${major:-14}-dev"
		fi
		rm -rf "$probe"
	fi
fi

# The npm test peers: the Kubernetes 1.32 schema the fake API server validates with and Azure's
# SDK models the fake cloud checks requests with, from the lock file, once, before the tests
# run in parallel.
npm_peer() {
	[ "$what" = test ] || return 0
	here=$(cd "$(dirname "$0")/.." && pwd)
	sh "$here/tests/fake/fakekube-install.sh" >&2 || {
		echo "studio-wizard: could not install the npm test peers (tests/fake/package-lock.json)" >&2
		exit 1
	}
}

# Sort and drop duplicates.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ' | sed 's/ *$//')
if [ -z "$missing" ]; then
	npm_peer
	exit 0
fi

echo "studio-wizard: installing missing $what dependencies: $missing" >&2
if ! command -v apt-get >/dev/null 2>&1; then
	echo "studio-wizard: apt-get not found; install these packages (Debian names) by hand: $missing" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
	echo "studio-wizard: using sudo for apt-get" >&2
else
	echo "studio-wizard: not root and no sudo; install by hand: apt-get install $missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt (unattended upgrades, a second make) may hold the dpkg lock: wait for it.
APT="apt-get -o DPkg::Lock::Timeout=600"
$SUDO $APT update -qq </dev/null >&2 || exit 1
case " $missing " in *" kubectl "*)
	if ! apt-cache show kubectl >/dev/null 2>&1; then
		missing=$(echo " $missing " | sed 's/ kubectl / kubernetes-client /; s/^ //; s/ $//')
	fi ;;
esac
# No service may start from the install (rabbitmq-server would take 5672 and epmd 4369
# on every address): a policy-rc.d says no while apt runs, unless one is there already.
policy=""
case " $missing " in *" rabbitmq-server "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# studio-wizard mk/deps.sh: no service starts while it installs\nexit 101\n' |
			$SUDO tee $policy >/dev/null && $SUDO chmod 755 $policy
	fi ;;
esac
# shellcheck disable=SC2086
$SUDO $APT install -y -qq --no-install-recommends $missing </dev/null >&2
rc=$?
[ -n "$policy" ] && $SUDO rm -f "$policy"
[ $rc -eq 0 ] || exit 1
case " $missing " in *" rabbitmq-server "*)
	# The tests start RabbitMQ inside their sandboxes only; the host's stays off.
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now rabbitmq-server.service epmd.socket epmd.service >/dev/null 2>&1
	else
		$SUDO service rabbitmq-server stop >/dev/null 2>&1
		$SUDO update-rc.d rabbitmq-server disable >/dev/null 2>&1
	fi
	# An epmd the install left behind (0.0.0.0:4369), when no node uses it.
	if command -v epmd >/dev/null 2>&1 && epmd -names 2>/dev/null | grep -q 'up and running' &&
		! epmd -names 2>/dev/null | grep -q '^name '; then
		epmd -kill >/dev/null 2>&1
	fi ;;
esac
echo "studio-wizard: installed: $missing" >&2
npm_peer
