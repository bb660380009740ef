#!/usr/bin/python3
"""PID 1 of a VM-lab sandbox (started by tests/vm/vm.sh, not by hand).

usage: vminit.py launch NAME ADDR USERDATA STATEDIR LOOPDEV|- OWNER_PID|0
  opens a pidfd on OWNER_PID (the sandbox ends when that process does; 0: never) and
  execs unshare(1) into new mount, pid and uts namespaces running `vminit.py init`.

`init` (PID 1 inside): builds the root (overlay of / over a tmpfs upper, fresh /proc,
/sys, /dev, /run, /tmp), applies the cloud-config, chroots, starts sshd, runs runcmd,
turns kernel uevents for the disk into /dev nodes (via the udevadm stand-in), reaps
orphans, and on SIGTERM or the owner's death kills everything and detaches the disk.
"""
import ctypes
import fcntl
import os
import select
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Stand-ins copied into the sandbox: source name -> paths inside.
STANDINS = {
    "systemctl": ["/usr/local/sbin/systemctl", "/usr/bin/systemctl", "/bin/systemctl"],
    "udevadm": ["/usr/local/sbin/udevadm"],
    "cloud-init": ["/usr/local/bin/cloud-init"],
}


def log(msg):
    print(f"vminit: {msg}", flush=True)


def sh(*argv):
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)


def launch(argv):
    name, addr, userdata, statedir, loopdev, owner = argv
    owner_fd = -1
    if owner != "0":
        owner_fd = os.pidfd_open(int(owner))
        os.set_inheritable(owner_fd, True)
    os.execvp("unshare", ["unshare", "--mount", "--pid", "--uts", "--fork", "--propagation", "private",
                          sys.executable, os.path.abspath(__file__), "init",
                          name, addr, userdata, statedir, loopdev, str(owner_fd)])


def mknod(path, kind, major, minor, mode=0o666):
    os.mknod(path, mode | kind, os.makedev(major, minor))
    os.chmod(path, mode)


def build_root(name, addr, statedir, loopdev):
    ovl, root = f"{statedir}/ovl", f"{statedir}/root"
    sh("mount", "-t", "tmpfs", "-o", "mode=0755", "vmlab-upper", ovl)
    os.makedirs(f"{ovl}/upper")
    os.makedirs(f"{ovl}/work")
    sh("mount", "-t", "overlay", "vmlab-" + name, "-o",
       f"lowerdir=/,upperdir={ovl}/upper,workdir={ovl}/work", root)
    sh("mount", "-t", "proc", "proc", f"{root}/proc")
    sh("mount", "-t", "sysfs", "sysfs", f"{root}/sys")
    dev = f"{root}/dev"
    sh("mount", "-t", "tmpfs", "-o", "mode=0755,size=1m", "vmlab-dev", dev)
    for n, ma, mi in (("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8),
                      ("urandom", 1, 9), ("tty", 5, 0)):
        mknod(f"{dev}/{n}", 0o020000, ma, mi)
    os.mkdir(f"{dev}/pts")
    sh("mount", "-t", "devpts", "-o", "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts", f"{dev}/pts")
    os.symlink("pts/ptmx", f"{dev}/ptmx")
    os.mkdir(f"{dev}/shm")
    sh("mount", "-t", "tmpfs", "-o", "mode=1777", "shm", f"{dev}/shm")
    for i, n in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{i}", f"{dev}/{n}")
    os.symlink("/proc/self/fd", f"{dev}/fd")
    if loopdev != "-":
        os.mknod(f"{dev}/loop-control", 0o600 | 0o020000, os.makedev(10, 237))
    sh("mount", "-t", "tmpfs", "-o", "mode=0755", "vmlab-run", f"{root}/run")
    for d, m in (("run/sshd", 0o755), ("run/lock", 0o1777), ("run/vmlab", 0o755)):
        os.mkdir(f"{root}/{d}")
        os.chmod(f"{root}/{d}", m)
    sh("mount", "-t", "tmpfs", "-o", "mode=1777", "vmlab-tmp", f"{root}/tmp")
    os.makedirs(f"{root}/var/log/vmlab", exist_ok=True)
    sh("mount", "--bind", f"{statedir}/log", f"{root}/var/log/vmlab")
    with open(f"{root}/run/vmlab/disk", "w") as f:
        f.write("" if loopdev == "-" else os.path.basename(loopdev) + "\n")
    return root


def configure(root, name, addr, userdata):
    with open(f"{root}/etc/hostname", "w") as f:
        f.write(name + "\n")
    with open(f"{root}/etc/hosts", "w") as f:
        f.write(f"127.0.0.1 localhost\n{addr} {name}\n::1 localhost ip6-localhost ip6-loopback\n")
    for src, dsts in STANDINS.items():
        data = open(f"{HERE}/{src}", "rb").read()
        for d in dsts:
            p = root + d
            if os.path.lexists(p):
                os.unlink(p)
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, 0o755)
    # RabbitMQ (when the VM runs it) listens on this VM's address only, under its own node name.
    os.makedirs(f"{root}/etc/rabbitmq/conf.d", exist_ok=True)
    tup = "{" + addr.replace(".", ",") + "}"
    with open(f"{root}/etc/rabbitmq/rabbitmq-env.conf", "w") as f:
        f.write(f"NODENAME=rabbit@{name}\nNODE_IP_ADDRESS={addr}\n"
                f"SERVER_ADDITIONAL_ERL_ARGS=\"-kernel inet_dist_use_interface {tup}\"\n"
                f"CTL_ERL_ARGS=\"-kernel inet_dist_use_interface {tup}\"\n"
                f"export ERL_EPMD_ADDRESS={addr}\n")
    with open(f"{root}/etc/rabbitmq/conf.d/90-vmlab.conf", "w") as f:
        f.write(f"management.tcp.ip = {addr}\n")
    with open(f"{root}/etc/ssh/sshd_config", "w") as f:
        f.write(f"""# VM lab sshd: only the cloud-config host key, keys only.
ListenAddress {addr}:22
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
LogLevel VERBOSE
PidFile /run/sshd.pid
Subsystem sftp /usr/lib/openssh/sftp-server
""")
    sys.path.insert(0, HERE)
    import cloudconfig
    with open(userdata, encoding="utf-8") as f:
        doc = cloudconfig.parse(f.read())
    cloudconfig.apply(doc, root, log=sys.stdout)


def init(argv):
    name, addr, userdata, statedir, loopdev, owner_fd = argv
    owner_fd = int(owner_fd)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGCHLD, lambda *a: None)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    socket.sethostname(name)
    root = build_root(name, addr, statedir, loopdev)
    configure(root, name, addr, userdata)
    os.chroot(root)
    os.chdir("/")
    os.environ.update(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME="/root")
    for k in list(os.environ):
        if k.startswith(("PYENV", "VIRTUAL_ENV")):
            del os.environ[k]
    uev = ino = None
    if loopdev != "-":
        sh("udevadm", "trigger")
        uev = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)  # NETLINK_KOBJECT_UEVENT
        uev.bind((0, 1))
        # udevd's watch: a writer closing the disk makes the partitions be read again.
        libc = ctypes.CDLL(None, use_errno=True)
        ino = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if ino < 0 or libc.inotify_add_watch(ino, f"/dev/{os.path.basename(loopdev)}".encode(), 0x8) < 0:
            raise OSError(ctypes.get_errno(), "inotify on the disk")
    busy = int(os.environ.pop("VMLAB_DPKG_BUSY", "0") or 0)
    if busy > 0:
        dpkg_busy(busy)
    subprocess.Popen(["/usr/sbin/sshd", "-D", "-E", "/var/log/vmlab/sshd.log"], stdin=subprocess.DEVNULL)
    # cloud-final: runcmd, then boot-finished (what `cloud-init status --wait` waits for).
    subprocess.Popen(["/bin/sh", "-c",
                      "/var/lib/cloud/instance/scripts/runcmd >>/var/log/cloud-init-output.log 2>&1;"
                      " echo $? > /run/cloud-init-rc; touch /var/lib/cloud/instance/boot-finished"],
                     stdin=subprocess.DEVNULL, start_new_session=True)
    log(f"{name} up on {addr}")
    fds = [wake_r] + ([owner_fd] if owner_fd >= 0 else []) + ([uev, ino] if uev else [])
    while not stop:
        try:
            ready, _, _ = select.select(fds, [], [])
        except InterruptedError:
            ready = []
        if owner_fd in ready:
            log("owner gone")
            break
        if uev in ready:
            msg = uev.recv(65536)
            if b"SUBSYSTEM=block" in msg:
                subprocess.run(["udevadm", "vmlab-sync"], stdin=subprocess.DEVNULL)
        if uev and ino in ready:
            try:
                os.read(ino, 4096)
            except BlockingIOError:
                pass
            subprocess.run(["udevadm", "trigger"], stdin=subprocess.DEVNULL)
        if wake_r in ready:
            try:
                os.read(wake_r, 512)
            except BlockingIOError:
                pass
        reap()
    shutdown(loopdev)


def dpkg_busy(seconds):
    """First boot on Ubuntu: unattended-upgrades holds dpkg's lock for a while, after cloud-init
    may have finished. A child named like it takes the locks as apt does (fcntl F_SETLK, a write
    lock on all of /var/lib/dpkg/lock-frontend, then /var/lib/dpkg/lock: apt-pkg/deb/debsystem.cc)
    and keeps them for `seconds`, or until /run/vmlab/dpkg-release exists (a test's cue)."""
    r, w = os.pipe()
    if os.fork() == 0:
        try:
            os.close(r)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.setsid()
            ctypes.CDLL(None).prctl(15, b"unattended-upgr", 0, 0, 0)  # PR_SET_NAME, as its comm reads
            fds = []
            for p in ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock"):
                fds.append(os.open(p, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640))
                fcntl.lockf(fds[-1], fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(w, b"1")
            end = time.monotonic() + seconds
            while time.monotonic() < end and not os.path.exists("/run/vmlab/dpkg-release"):
                time.sleep(0.1)
            log("unattended-upgrades stand-in: dpkg's lock released")
        finally:
            os._exit(0)
    os.close(w)
    held = os.read(r, 1)
    os.close(r)
    log("unattended-upgrades stand-in: dpkg's lock held for up to %d s" % seconds if held else
        "unattended-upgrades stand-in: could not take dpkg's lock")


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def shutdown(loopdev):
    log("stopping")
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    if loopdev != "-":
        # Busy (mounted in this namespace): the kernel detaches it when the namespace goes.
        subprocess.run(["losetup", "-d", "/dev/" + os.path.basename(loopdev)])
    log("stopped")
    sys.exit(0)


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "launch":
        launch(sys.argv[2:])
    elif len(sys.argv) == 8 and sys.argv[1] == "init":
        init(sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
