# The VM lab's own tests (tests/vm), the Minio VM: a loop disk partitioned and mounted inside,
# the S3 peer as the minio binary checked with the aws CLI and libcurl's SigV4, two sandboxes at
# once, one owned by another process that is killed, and nothing left on the host afterwards.
# The RabbitMQ VM and sshd: test_vmlab.sh.
. "$SW_TOP/tests/cli/vmlab_lib.sh"

t0=$(ms)
mpid=$("$VM" start minio "$M" "$T/ud.yaml" "$T/minio" --disk 64 --owner $$)
echo "# vm.sh start minio (64 MB disk): $(( $(ms) - t0 )) ms"
check "vm.sh start minio with a disk" test -n "$mpid" -a -e "/proc/$mpid"
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

# A killed test: the sandbox follows its owner.
sh -c 'exec sleep 600' &
owner=$!
opid=$("$VM" start orphan 127.0.1.4 "$T/ud.yaml" "$T/orphan" --disk 16 --owner $owner)
check "a sandbox owned by another process starts" test -n "$opid" -a -e "/proc/$opid"
check "two sandboxes run at once" test -e "/proc/$mpid" -a -e "/proc/$opid"
{ kill -9 $owner; wait $owner; } 2>/dev/null
gone() { [ ! -e "/proc/$opid" ] && [ -z "$(losetup -j "$T/orphan/disk.img")" ]; }
check "when its owner is killed the sandbox ends and its disk is detached" wait_for 20 gone
check "the host's mounts and loop devices are as before but for the minio disk (after the orphan)" \
	test "$(host_view | grep -vF "$T/minio/disk.img")" = "$before"
stopped minio "$T/minio" "$M" "$mpid" "$opid"
finish
