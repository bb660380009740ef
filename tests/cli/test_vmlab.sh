# The VM lab's own tests (tests/vm): two sandbox VMs from cloud-config, sshd with the
# host key we handed over, sudo, a loop disk partitioned and mounted inside, rabbitmq-server
# through the systemctl stand-in, the S3 peer as the minio binary checked with the aws CLI,
# and nothing left on the host afterwards (also when the owning test is killed).
. "$(dirname "$0")/../lib.sh"
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
python3 "$SW_TOP/tests/vm/cloudconfig.py" parse "$T/ud.yaml" >"$T/ud.json" 2>&1
check "the cloud-config subset parser reads the wizard's document" grep -q '"ed25519_private": "-----BEGIN OPENSSH PRIVATE KEY-----' "$T/ud.json"

before=$(host_view)
# The view is filtered: it must come from tools that see the host (else "as before" proves nothing).
[ -n "$(findmnt -l -n)" ] && losetup -l >/dev/null 2>&1 || not_ok "findmnt/losetup show nothing of the host"
[ -z "$before" ] || not_ok "mounts or loop devices of this test before it started: $before"

t0=$(ms)
pid=$("$VM" start rabbitmq "$R" "$T/ud.yaml" "$T/rmq" --owner $$)
rc=$?
echo "# vm.sh start rabbitmq (no disk): $(( $(ms) - t0 )) ms"
check "vm.sh start rabbitmq prints the init pid" test $rc -eq 0 -a -n "$pid" -a -e "/proc/$pid"

vssh() { # KNOWN_HOSTS ADDR CMD: ssh as the admin user, strict host key checking
	kh=$1 a=$2; shift 2
	ssh -F /dev/null -i "$T/user" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null \
		"azureuser@$a" "$@"
}
out=$(vssh "$T/kh_rmq" "$R" 'hostname; sudo -n true && echo sudo-ok; sudo -n cat /etc/vmlab-test.conf; cloud-init status --wait; cat /var/tmp/runcmd-marker' 2>&1)
check "ssh with the handed-over host key logs in as azureuser on host 'rabbitmq'" test "$(echo "$out" | head -1)" = rabbitmq
check "sudo -n works for the admin user" grep -qx sudo-ok <<<"$out"
check "write_files wrote the file" grep -qx "written by cloud-init" <<<"$out"
check "runcmd ran and cloud-init status --wait says done" grep -qx runcmd-ran <<<"$out"
grep -qx "status: done" <<<"$out" || not_ok "cloud-init status: $out"

out=$(vssh "$T/kh_wrong" "$R" true 2>&1); rc=$?
check "a different expected host key is refused" test $rc -ne 0
check "... with ssh's host key verification error" grep -q "Host key verification failed" <<<"$out"
out=$(ssh -F /dev/null -o BatchMode=yes -o PreferredAuthentications=password -o UserKnownHostsFile="$T/kh_rmq" \
	-o StrictHostKeyChecking=yes azureuser@$R true 2>&1)
check "password authentication is off" grep -q "Permission denied (publickey)" <<<"$out"

# RabbitMQ inside, through the systemctl stand-in, as the wizard will drive it.
t0=$(ms)
out=$(vssh "$T/kh_rmq" "$R" 'sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server >/dev/null && echo apt-ok; sudo -n systemctl enable --now rabbitmq-server && sudo -n systemctl is-active rabbitmq-server' 2>&1)
echo "# apt-get install + systemctl enable --now rabbitmq-server: $(( $(ms) - t0 )) ms"
check "apt-get install -y rabbitmq-server succeeds inside (already there)" grep -qx apt-ok <<<"$out"
check "systemctl enable --now rabbitmq-server: active" grep -qx active <<<"$out"
out=$(vssh "$T/kh_rmq" "$R" 'sudo -n rabbitmqctl status' 2>&1)
check "rabbitmqctl status answers from node rabbit@rabbitmq" grep -q "Node name: rabbit@rabbitmq" <<<"$out"
check "AMQP listens on $R:5672" port_open "$R" 5672
listen=$(ss -Hltn 'sport = :5672')
[ -n "$listen" ] || not_ok "ss capture of :5672 is empty"
check "... and on no other address" test "$(echo "$listen" | awk '{print $4}' | sort -u)" = "$R:5672"
out=$(vssh "$T/kh_rmq" "$R" 'printf "%s\n" "amqp-pass-1" | sudo -n rabbitmqctl add_user studioml >/dev/null && sudo -n rabbitmqctl set_user_tags studioml administrator >/dev/null && sudo -n rabbitmqctl set_permissions -p / studioml ".*" ".*" ".*" >/dev/null && sudo -n rabbitmq-plugins enable rabbitmq_management >/dev/null && echo mgmt-ok' 2>&1)
check "rabbitmqctl add_user (password on stdin) and rabbitmq-plugins enable work inside" grep -qx mgmt-ok <<<"$out"
code=$(curl -s -o "$T/overview.json" -w '%{http_code}' -u studioml:amqp-pass-1 "http://$R:15672/api/overview")
check "the management API answers on $R:15672 for the new user" test "$code" = 200
check "... from node rabbit@rabbitmq" grep -q '"node":"rabbit@rabbitmq"' "$T/overview.json"

# The Minio VM: a data disk, partitioned and mounted inside, and the S3 peer as minio.
t0=$(ms)
mpid=$("$VM" start minio "$M" "$T/ud.yaml" "$T/minio" --disk 64 --owner $$)
echo "# vm.sh start minio (64 MB disk): $(( $(ms) - t0 )) ms"
check "vm.sh start minio with a disk" test -n "$mpid" -a -e "/proc/$mpid"
check "two sandboxes run at once" test -e "/proc/$pid" -a -e "/proc/$mpid"
loopdev=$(cat "$T/minio/loop")
out=$(vssh "$T/kh_minio" "$M" 'set -e
	readlink -f /dev/disk/azure/scsi1/lun0
	sudo -n sgdisk -n 1:0:0 -t 1:8300 /dev/disk/azure/scsi1/lun0 >/dev/null
	sudo -n udevadm settle
	sudo -n mkfs.ext4 -q /dev/disk/azure/scsi1/lun0-part1
	uuid=$(sudo -n blkid -s UUID -o value /dev/disk/azure/scsi1/lun0-part1)
	echo "UUID=$uuid /data ext4 defaults,nofail 0 2" | sudo -n tee -a /etc/fstab >/dev/null
	sudo -n mkdir -p /data && sudo -n mount -a
	findmnt -n -o SOURCE,FSTYPE /data' 2>&1)
check "the disk is /dev/disk/azure/scsi1/lun0 -> $loopdev inside" test "$(echo "$out" | head -1)" = "$loopdev"
check "sgdisk + mkfs.ext4 + fstab + mount -a: /data is ${loopdev}p1 ext4 inside" grep -qx "${loopdev}p1 ext4" <<<"$out"
check "the host's mount table and loop devices are unchanged but for the disk" \
	sh -c "test '$(host_view | grep -v "$T/minio/disk.img")' = '$before' && losetup -l -n -O BACK-FILE | grep -qF '$T/minio/disk.img'"
check "the host has no /data mount" test -z "$(findmnt -n /data)"

"$SW_TOP/tests/vm/make-minio-binary.sh" "$T/minio-bin"
"$VM" exec minio "$T/minio" sh -c 'cat > /usr/local/bin/minio && chmod 755 /usr/local/bin/minio' <"$T/minio-bin"
"$VM" exec minio "$T/minio" sh -c 'useradd -r minio-user && chown minio-user: /data &&
cat > /etc/default/minio <<EOF
MINIO_ROOT_USER=studioml
MINIO_ROOT_PASSWORD=right-secret-123
MINIO_VOLUMES=/data
EOF
chmod 600 /etc/default/minio
cat > /etc/systemd/system/minio.service <<EOF
[Service]
User=minio-user
EnvironmentFile=/etc/default/minio
WorkingDirectory=/usr/local
ExecStart=/usr/local/bin/minio server \$MINIO_VOLUMES --address :9000
[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload && systemctl enable --now minio'
check "minio (the S3 peer) listens on $M:9000 (the sandbox's address)" wait_for 10 port_open "$M" 9000

export AWS_CONFIG_FILE="$T/aws-config" AWS_SHARED_CREDENTIALS_FILE="$T/aws-credentials"
export AWS_ACCESS_KEY_ID=studioml AWS_SECRET_ACCESS_KEY=right-secret-123 AWS_DEFAULT_REGION=us-east-1
"$AWS" configure set default.s3.addressing_style path
s3() { "$AWS" --endpoint-url "http://$M:9000" --region us-east-1 s3 "$@"; }
echo "artifact body" >"$T/obj.txt"
check "aws s3 mb" s3 mb s3://studioml-artifacts
check "aws s3 cp (upload)" s3 cp --only-show-errors "$T/obj.txt" s3://studioml-artifacts/runs/obj.txt
ls_has_obj() { s3 ls s3://studioml-artifacts/runs/ | grep -q ' obj.txt$'; }
download_same() { s3 cp --only-show-errors s3://studioml-artifacts/runs/obj.txt "$T/back.txt" && cmp -s "$T/obj.txt" "$T/back.txt"; }
check "aws s3 ls lists the object" ls_has_obj
check "the object is a real file under /data inside the VM" \
	test "$("$VM" exec minio "$T/minio" cat /data/studioml-artifacts/runs/obj.txt)" = "artifact body"
check "aws s3 cp (download) gives the same bytes" download_same
check "aws s3 rm" s3 rm --only-show-errors s3://studioml-artifacts/runs/obj.txt
left=$("$VM" exec minio "$T/minio" find /data/studioml-artifacts -type f) || not_ok "find in the bucket failed"
check "... the file is gone" test -z "$left"
out=$(AWS_SECRET_ACCESS_KEY=wrong-secret-123 s3 ls s3://studioml-artifacts 2>&1); rc=$?
check "a wrong secret fails with SignatureDoesNotMatch" test $rc -ne 0 -a -n "$(grep SignatureDoesNotMatch <<<"$out")"
out=$(AWS_ACCESS_KEY_ID=nobody s3 ls 2>&1); rc=$?
check "an unknown access key fails with InvalidAccessKeyId" test $rc -ne 0 -a -n "$(grep InvalidAccessKeyId <<<"$out")"

# libcurl's CURLOPT_AWS_SIGV4 (what the wizard uses), through the curl tool.
sigv4() { curl -s -o "$T/curl.out" -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user "studioml:$1" "${@:2}"; }
code=$(sigv4 right-secret-123 -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$T/obj.txt" "http://$M:9000/studioml-artifacts/curl.txt")
check "curl --aws-sigv4 PUT with UNSIGNED-PAYLOAD is accepted" test "$code" = 200
code=$(sigv4 right-secret-123 -H "x-amz-content-sha256: $(echo other | sha256sum | cut -c1-64)" -T "$T/obj.txt" "http://$M:9000/studioml-artifacts/curl2.txt")
check "a body that does not match x-amz-content-sha256 is refused" grep -q XAmzContentSHA256Mismatch "$T/curl.out"
code=$(sigv4 right-secret-123 -H "x-amz-date: 20200101T000000Z" "http://$M:9000/")
check "a signed but 2020-dated request is refused (RequestTimeTooSkewed)" grep -q RequestTimeTooSkewed "$T/curl.out"
code=$(sigv4 wrong-secret-123 "http://$M:9000/studioml-artifacts/curl.txt")
check "curl with a wrong secret gets 403 SignatureDoesNotMatch" test "$code" = 403 -a -n "$(grep SignatureDoesNotMatch "$T/curl.out")"
code=$(sigv4 right-secret-123 "http://$M:9000/studioml-artifacts/curl.txt")
check "curl GET returns the object" test "$code" = 200 -a "$(cat "$T/curl.out")" = "artifact body"

# Stop: nothing left behind; stop again is fine.
t0=$(ms)
"$VM" stop rabbitmq "$T/rmq"; rc1=$?
"$VM" stop minio "$T/minio"; rc2=$?
echo "# vm.sh stop x2: $(( $(ms) - t0 )) ms"
check "vm.sh stop succeeds for both" test $rc1 -eq 0 -a $rc2 -eq 0
check "no process of either sandbox is left" test ! -e "/proc/$pid" -a ! -e "/proc/$mpid" -a -z "$(pgrep -f "vminit.py .*$T/")"
no_ports() { ! ss -Hltn | grep -qE "($R|$M):"; }
check "no port of either sandbox is open" no_ports
check "the host's mounts and loop devices are as before" test "$(host_view)" = "$before"
check "vm.sh stop again is a no-op" "$VM" stop minio "$T/minio"

# A killed test: the sandbox follows its owner.
sh -c 'exec sleep 600' &
owner=$!
opid=$("$VM" start orphan 127.0.1.4 "$T/ud.yaml" "$T/orphan" --disk 16 --owner $owner)
check "a sandbox owned by another process starts" test -n "$opid" -a -e "/proc/$opid"
{ kill -9 $owner; wait $owner; } 2>/dev/null
gone() { [ ! -e "/proc/$opid" ] && [ -z "$(losetup -j "$T/orphan/disk.img")" ]; }
check "when its owner is killed the sandbox ends and its disk is detached" wait_for 20 gone
check "the host's mounts and loop devices are as before (after the orphan)" test "$(host_view)" = "$before"
finish
