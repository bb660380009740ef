# The VM lab's own tests (tests/vm), the RabbitMQ VM: a sandbox VM from cloud-config, sshd with
# the host key we handed over, sudo, rabbitmq-server through the systemctl stand-in, and nothing
# left on the host afterwards. The disk, the S3 peer and a killed owner: test_vmlab_minio.sh.
. "$SW_TOP/tests/cli/vmlab_lib.sh"

python3 "$SW_TOP/tests/vm/cloudconfig.py" parse "$T/ud.yaml" >"$T/ud.json" 2>&1
check "the cloud-config subset parser reads the wizard's document" grep -q '"ed25519_private": "-----BEGIN OPENSSH PRIVATE KEY-----' "$T/ud.json"

t0=$(ms)
pid=$("$VM" start rabbitmq "$R" "$T/ud.yaml" "$T/rmq" --owner $$)
rc=$?
echo "# vm.sh start rabbitmq (no disk): $(( $(ms) - t0 )) ms"
check "vm.sh start rabbitmq prints the init pid" test $rc -eq 0 -a -n "$pid" -a -e "/proc/$pid"

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

stopped rabbitmq "$T/rmq" "$R" "$pid"
finish
