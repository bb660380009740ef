# tests/cli/test_fakekube.sh: the fake Kubernetes API server is as strict as a 1.32 one, seen
# through the real kubectl and curl: the guide's device-plugin DaemonSet and ServiceAccount are
# refused, the apps/v1 DaemonSet is applied, the guide's runner Deployment breaks the runner's
# contract, and a client certificate of another CA is refused.
. "$SW_TOP/tests/lib.sh"
F="$SW_TOP/tests/fake"
D="$TEST_TMP/kube"
sh "$F/fakekube-install.sh" >&2 || { not_ok "fakekube npm peer installed"; finish; }
node "$F/fakekube.mjs" --dir "$D" >"$TEST_TMP/fakekube.out" 2>&1 &
FPID=$!
trap 'kill $FPID 2>/dev/null' EXIT
i=0; while [ ! -s "$D/ports" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
check "fakekube started" test -s "$D/ports"
read -r PORT CTL < "$D/ports"
K="$D/kubeconfig"
export KUBECONFIG="$K"

out=$(kubectl get ns 2>&1)
check "kubectl get ns lists the cluster's namespaces" sh -c 'printf "%s\n" "$1" | grep -q "^kube-system "' _ "$out"

cat > "$TEST_TMP/ds-guide.yaml" <<'Y'
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: nvidia-device-plugin-daemonset
  namespace: gpu-resources
spec:
  template:
    metadata:
      labels:
        name: nvidia-device-plugin-ds
    spec:
      tolerations:
      - key: CriticalAddonsOnly
        operator: Exists
      containers:
      - image: nvidia/k8s-device-plugin:1.11
        name: nvidia-device-plugin-ctr
Y
cat > "$TEST_TMP/ns.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: gpu-resources
Y
out=$(kubectl apply --server-side -f "$TEST_TMP/ns.yaml" 2>&1)
check "namespace applied ($out)" sh -c 'printf "%s" "$1" | grep -q "namespace/gpu-resources serverside-applied"' _ "$out"
out=$(kubectl apply --server-side -f "$TEST_TMP/ds-guide.yaml" 2>&1); rc=$?
check "kubectl refuses the guide's extensions/v1beta1 DaemonSet (exit $rc)" test "$rc" -ne 0
check "... with no kind DaemonSet in extensions/v1beta1" sh -c 'printf "%s" "$1" | grep -q "no matches for kind \"DaemonSet\" in version \"extensions/v1beta1\""' _ "$out"
# The same object sent straight to the API path answers what the server says.
C="$TEST_TMP/client"; mkdir -p "$C"
sed -n 's/^    certificate-authority-data: //p' "$K" | base64 -d > "$C/ca.pem"
sed -n 's/^    client-certificate-data: //p' "$K" | base64 -d > "$C/cert.pem"
sed -n 's/^    client-key-data: //p' "$K" | base64 -d > "$C/key.pem"
body=$(curl -sS --cacert "$C/ca.pem" --cert "$C/cert.pem" --key "$C/key.pem" -X PATCH \
	-H 'Content-Type: application/apply-patch+yaml' --data-binary @"$TEST_TMP/ds-guide.yaml" \
	-w ' HTTP %{http_code}' \
	"https://127.0.0.1:$PORT/apis/extensions/v1beta1/namespaces/gpu-resources/daemonsets/nvidia-device-plugin-daemonset?fieldManager=studio-wizard&force=true" 2>&1)
check "PATCH to extensions/v1beta1 is 404 the server could not find the requested resource" \
	sh -c 'printf "%s" "$1" | grep -q "\"message\":\"the server could not find the requested resource\".* HTTP 404$"' _ "$body"
# The guide's DaemonSet moved to apps/v1 but still without a selector: 422 Required value.
sed 's|extensions/v1beta1|apps/v1|' "$TEST_TMP/ds-guide.yaml" > "$TEST_TMP/ds-noselector.yaml"
out=$(kubectl apply --server-side -f "$TEST_TMP/ds-noselector.yaml" 2>&1); rc=$?
check "apps/v1 DaemonSet without a selector refused: spec.selector Required value ($out)" \
	sh -c 'test "$2" -ne 0 && printf "%s" "$1" | grep -q "spec.selector: Required value"' _ "$out" "$rc"

cat > "$TEST_TMP/sa.yaml" <<'Y'
apiVersion: v1
kind: ServiceAccount
metadata:
  name: studioml-account
  namespace: gpu-resources
imagePullSecrets:
- name: studioml-go-docker-key
  apiVersion: v1
Y
out=$(kubectl apply --server-side -f "$TEST_TMP/sa.yaml" 2>&1); rc=$?
check "ServiceAccount with imagePullSecrets[].apiVersion refused (exit $rc)" test "$rc" -ne 0
check "... field not declared in schema ($out)" sh -c 'printf "%s" "$1" | grep -qF "Error from server (BadRequest): failed to create typed patch object (gpu-resources/studioml-account; /v1, Kind=ServiceAccount): .imagePullSecrets[0].apiVersion: field not declared in schema"' _ "$out"

cat > "$TEST_TMP/ds.yaml" <<'Y'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: nvidia-device-plugin-daemonset
  namespace: gpu-resources
spec:
  selector:
    matchLabels:
      name: nvidia-device-plugin-ds
  updateStrategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        name: nvidia-device-plugin-ds
    spec:
      tolerations:
      - key: sku
        operator: Equal
        value: gpu
        effect: NoSchedule
      nodeSelector:
        kubernetes.azure.com/accelerator: nvidia
      priorityClassName: system-node-critical
      containers:
      - image: nvcr.io/nvidia/k8s-device-plugin:v0.17.1
        name: nvidia-device-plugin-ctr
        env:
        - name: FAIL_ON_INIT_ERROR
          value: "false"
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: ["ALL"]
        volumeMounts:
        - name: device-plugin
          mountPath: /var/lib/kubelet/device-plugins
      volumes:
      - name: device-plugin
        hostPath:
          path: /var/lib/kubelet/device-plugins
Y
out=$(kubectl apply --server-side -f "$TEST_TMP/ds.yaml" 2>&1)
check "apps/v1 DaemonSet accepted ($out)" sh -c 'printf "%s" "$1" | grep -q "daemonset.apps/nvidia-device-plugin-daemonset serverside-applied"' _ "$out"
rv1=$(kubectl -n gpu-resources get ds nvidia-device-plugin-daemonset -o jsonpath='{.metadata.resourceVersion}' 2>&1)
kubectl apply --server-side -f "$TEST_TMP/ds.yaml" >/dev/null 2>&1
rv2=$(kubectl -n gpu-resources get ds nvidia-device-plugin-daemonset -o jsonpath='{.metadata.resourceVersion}' 2>&1)
check "re-applying it changes nothing (resourceVersion $rv1 = $rv2)" sh -c 'test -n "$1" && test "$1" = "$2"' _ "$rv1" "$rv2"
out=$(kubectl -n gpu-resources rollout status ds/nvidia-device-plugin-daemonset --timeout=20s 2>&1)
check "its pods come up (rollout status)" sh -c 'printf "%s" "$1" | grep -q "successfully rolled out"' _ "$out"
sed 's/^  updateStrategy:/  updateStrategyy:/' "$TEST_TMP/ds.yaml" > "$TEST_TMP/ds-typo.yaml"
out=$(kubectl apply --server-side -f "$TEST_TMP/ds-typo.yaml" 2>&1)
check "a typo in a field name refused: .spec.updateStrategyy ($out)" sh -c 'printf "%s" "$1" | grep -qF ".spec.updateStrategyy: field not declared in schema"' _ "$out"

# The runner's contract (tests/fake/fakekube_runner.mjs): the guide's runner Deployment, started
# by the image's run.sh, without the STATE ConfigMap, MAX_* or the key mounts, never gets ready.
cat > "$TEST_TMP/runner.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: studioml-go-runner-deployment
  namespace: gpu-resources
spec:
  selector:
    matchLabels:
      app: studioml-go-runner
  template:
    metadata:
      labels:
        app: studioml-go-runner
    spec:
      containers:
      - name: studioml-go-runner
        image: leafai/azure-studio-go-runner:0.14.2
        envFrom:
        - configMapRef:
            name: studioml-env
Y
cat > "$TEST_TMP/env.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: studioml-env
  namespace: gpu-resources
data:
  AMQP_URL: amqp://user:Guide0Password@10.0.0.4:5672/
  K8S_NAMESPACE: gpu-resources
Y
reason() { kubectl -n gpu-resources get pods -l app=studioml-go-runner \
	-o jsonpath='{.items[0].status.containerStatuses[0].state.waiting.reason}' 2>&1; }
wait_reason() { i=0; while [ "$(reason)" != "$1" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done; reason; }
kubectl apply --server-side -f "$TEST_TMP/runner.yaml" >/dev/null 2>&1
r=$(wait_reason CreateContainerConfigError)
check "the runner without its ConfigMap waits in CreateContainerConfigError ($r)" test "$r" = CreateContainerConfigError
kubectl apply --server-side -f "$TEST_TMP/env.yaml" >/dev/null 2>&1
r=$(wait_reason CrashLoopBackOff)
check "with it, the guide's runner crash-loops ($r)" test "$r" = CrashLoopBackOff
pod=$(kubectl -n gpu-resources get pods -l app=studioml-go-runner -o name 2>&1 | head -n 1)
kubectl -n gpu-resources logs "$pod" >"$TEST_TMP/runner.log" 2>&1
for rule in "the command is the image's run.sh" "no STATE in ConfigMap gpu-resources/studioml-go-runner" \
	"MAX_CORES is not set" "no GPU and CPU_ONLY is not true" \
	"/runner/certs/message/encryption/ssh-privatekey is not mounted from a Secret"; do
	check "  ...its log names the rule: $rule" grep -qF "runner contract: $rule" "$TEST_TMP/runner.log"
done
check "  ...after run.sh's env dump, password included, as the real image prints it" \
	grep -qxF "AMQP_URL=amqp://user:Guide0Password@10.0.0.4:5672/" "$TEST_TMP/runner.log"

# A client certificate signed by another CA: the TLS handshake is refused.
( cd "$C" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=other-ca \
	-days 1 -keyout other-ca.key -out other-ca.pem 2>/dev/null &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /O=system:masters/CN=intruder \
	-keyout intruder.key -out intruder.csr 2>/dev/null &&
  openssl x509 -req -in intruder.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 1 \
	-out intruder.pem 2>/dev/null )
check "made a client certificate of another CA" test -s "$C/intruder.pem"
code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$C/ca.pem" --cert "$C/intruder.pem" --key "$C/intruder.key" \
	"https://127.0.0.1:$PORT/api/v1/namespaces" 2>"$TEST_TMP/curl.err"); rc=$?
check "curl with it fails (exit $rc, http $code: $(head -c 200 "$TEST_TMP/curl.err"))" sh -c 'test "$1" -ne 0 && test "$2" = 000' _ "$rc" "$code"
code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/api/v1/namespaces" 2>/dev/null); rc=$?
check "curl without a client certificate fails too (exit $rc)" sh -c 'test "$1" -ne 0 && test "$2" = 000' _ "$rc" "$code"
code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$C/ca.pem" --cert "$C/cert.pem" --key "$C/key.pem" \
	"https://127.0.0.1:$PORT/api/v1/namespaces" 2>&1)
check "the kubeconfig's own certificate gets 200 ($code)" test "$code" = 200
n=$(curl -sS "http://127.0.0.1:$CTL/_fake/requests" | grep -o '"client":"intruder"' | wc -l)
check "the intruder never reached a handler (seen $n times)" test "$n" -eq 0
n=$(curl -sS "http://127.0.0.1:$CTL/_fake/requests" | grep -o '"client":"masterclient"' | wc -l)
check "the request log itself works (masterclient seen $n times)" test "$n" -gt 0
finish
