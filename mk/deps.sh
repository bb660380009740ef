#!/bin/sh
# Installs what the build (or the tests) need when it is missing, and says so.
# usage: mk/deps.sh build|test
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

need_cmd cc gcc
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
	need_pc ncursesw libncurses-dev
	need_pc libcurl libcurl4-openssl-dev
	need_pc libcjson libcjson-dev
	need_pc libssh2 libssh2-1-dev
	need_pc libsodium libsodium-dev
else
	missing="$missing libncurses-dev libcurl4-openssl-dev libcjson-dev libssh2-1-dev libsodium-dev"
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
fi

# Sort and drop duplicates.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ' | sed 's/ *$//')
[ -z "$missing" ] && exit 0

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
$SUDO apt-get update -qq </dev/null >&2 || exit 1
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null >&2 || exit 1
echo "studio-wizard: installed: $missing" >&2
