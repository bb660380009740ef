// fakekube_runner.mjs: what studio-go-runner 0.14.2 reads from its pod, checked when a pod's
// container named studioml-go-runner (the name in the runner's examples/azure manifests)
// would start. A broken rule makes the container fail the way a real cluster or runner shows
// it, so a test that waits for the runner pods to be ready fails when an overlay breaks the
// contract. Paths R:... are in leaf-ai/studio-go-runner at tag 0.14.2.

export const RUNNER_CONTAINER = "studioml-go-runner";

const WORKDIR = "/runner";                       // R:cmd/runner/Dockerfile.azure WORKDIR
const BIN_GPU = "/runner/runner-linux-amd64";    // R:cmd/runner/run.sh, R:cmd/runner/Dockerfile.azure COPY
const BIN_CPU = "/runner/runner-linux-amd64-cpu";
// The K8sState names (R:vendor/github.com/leaf-ai/go-service/pkg/types/k8sstate_enumer.go).
const STATES = ["Unknown", "Running", "DrainAndTerminate", "DrainAndSuspend"];

function b64(s) { return Buffer.from(s, "base64").toString("utf8"); }

// The environment the kubelet gives the container: envFrom in order, then env. A missing
// non-optional ConfigMap or Secret is the kubelet's CreateContainerConfigError.
function containerEnv(st, ns, c) {
  const env = {}, errors = [];
  for (const f of c.envFrom || []) {
    const ref = f.configMapRef || f.secretRef, kind = f.configMapRef ? "configmap" : "secret";
    if (!ref) continue;
    const o = st.get("", kind === "configmap" ? "configmaps" : "secrets", ns, ref.name);
    if (!o) { if (!ref.optional) errors.push(`${kind} "${ref.name}" not found`); continue; }
    for (const [k, v] of Object.entries(o.obj.data || {})) env[(f.prefix || "") + k] = kind === "secret" ? b64(v) : v;
  }
  for (const e of c.env || []) if (e.value !== undefined) env[e.name] = e.value;
  return { env, errors };
}

// The files the container sees from Secret volumes: "path" -> true. A missing Secret or key is
// the kubelet's FailedMount: the container never starts (ContainerCreating).
function secretFiles(st, ns, pod, c) {
  const files = {}, errors = [];
  for (const m of c.volumeMounts || []) {
    const v = (pod.spec.volumes || []).find((x) => x.name === m.name);
    if (!v || !v.secret) continue;
    const s = st.get("", "secrets", ns, v.secret.secretName);
    if (!s) { if (!v.secret.optional) errors.push(`MountVolume.SetUp failed for volume "${m.name}" : secret "${v.secret.secretName}" not found`); continue; }
    const data = s.obj.data || {};
    const items = v.secret.items || Object.keys(data).map((k) => ({ key: k, path: k }));
    for (const it of items) {
      if (!(it.key in data)) { errors.push(`MountVolume.SetUp failed for volume "${m.name}" : couldn't find key ${it.key} in Secret ${ns}/${v.secret.secretName}`); continue; }
      files[`${m.mountPath.replace(/\/$/, "")}/${it.path}`] = true;
    }
    files[m.mountPath.replace(/\/$/, "")] = true;
  }
  return { files, errors };
}

// Go's os.ExpandEnv: $VAR and ${VAR}, unset variables expand to "".
function expandEnv(s, env) {
  const unset = [];
  const out = s.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_, a, b) => {
    const k = a ?? b;
    if (!(k in env)) unset.push(k);
    return env[k] ?? "";
  });
  return { out, unset };
}

// go-humanize ParseBytes, as the runner reads MAX_MEM and MAX_DISK (R:cmd/runner/main.go resourceLimits).
function humanBytes(s) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtpe]?)(i?)b?\s*$/i.exec(String(s));
  if (!m) return NaN;
  const pow = " kmgtpe".indexOf(m[2].toLowerCase() || " ");
  return Number(m[1]) * (m[3] ? 1024 : 1000) ** pow;
}

// Kubernetes quantities as the pod spec writes them.
function quantity(q) {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q ?? ""));
  if (!m) return NaN;
  const mult = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]] ?? 1;
  return Number(m[1]) * mult;
}

// null when the container may start and run; else {reason, message} for a container that never
// starts, or {logs} for one that starts and exits (CrashLoopBackOff with these log lines).
export function runnerContract(st, pod, c) {
  const ns = pod.metadata.namespace;
  const { env, errors } = containerEnv(st, ns, c);
  if (errors.length) return { reason: "CreateContainerConfigError", message: errors[0] };
  const mounts = secretFiles(st, ns, pod, c);
  if (mounts.errors.length) return { reason: "ContainerCreating", message: mounts.errors[0] };
  const broken = [];
  const lim = (c.resources || {}).limits || {};
  const gpu = Number(lim["nvidia.com/gpu"] ?? 0) > 0;
  // The image's CMD is run.sh, which prints `env` and `export` first (R:cmd/runner/run.sh):
  // the wizard starts the binary itself.
  const cmd = c.command || [];
  const want = gpu ? BIN_GPU : BIN_CPU;
  if (cmd[0] !== want)
    broken.push(`the command is ${cmd.length ? JSON.stringify(cmd) : "the image's run.sh"}, not ${want} (R:cmd/runner/run.sh picks ${want} on this node)`);
  // run.sh appends the CUDA and driver libraries (R:cmd/runner/run.sh LD_LIBRARY_PATH).
  const ld = (env.LD_LIBRARY_PATH || "").split(":");
  if (!ld.includes("/usr/local/cuda/lib64") || !ld.includes("/usr/local/nvidia/lib64"))
    broken.push("LD_LIBRARY_PATH lacks /usr/local/cuda/lib64 and /usr/local/nvidia/lib64 (R:cmd/runner/run.sh)");
  // The runner watches ConfigMaps in K8S_NAMESPACE for the one named K8S_CONFIGMAP and takes
  // work only while its STATE is Running (R:cmd/runner/main.go flags k8s-namespace and
  // k8s-configmap; R:vendor/github.com/leaf-ai/go-service/pkg/server/k8s.go; R:cmd/runner/project.go).
  const wns = env.K8S_NAMESPACE || "default", cmName = env.K8S_CONFIGMAP || "studioml-go-runner";
  if (wns !== ns) broken.push(`K8S_NAMESPACE is ${wns}, not the pod's namespace ${ns}: the Role lets it watch only ${ns}`);
  const cm = st.get("", "configmaps", ns, cmName);
  const state = cm && (cm.obj.data || {}).STATE;
  if (!state) broken.push(`no STATE in ConfigMap ${ns}/${cmName}: the runner takes no new work after about 3.5 minutes (R:cmd/runner/project.go)`);
  else if (!STATES.includes(state)) broken.push(`STATE ${state} in ConfigMap ${ns}/${cmName} is not a K8sState (R:vendor/github.com/leaf-ai/go-service/pkg/types/appstate.go)`);
  else if (state === "Unknown" || state === "DrainAndTerminate") broken.push(`STATE ${state}: the runner takes no work or exits`);
  // AMQP_URL goes through os.ExpandEnv, then url.Parse (R:cmd/runner/rabbit.go, R:internal/runner/rmq.go).
  const amqp = expandEnv(env.AMQP_URL || "", env);
  let u = null;
  try { u = new URL(amqp.out); } catch (e) { u = null; }
  if (amqp.unset.length) broken.push(`AMQP_URL names ${amqp.unset.map((k) => "$" + k).join(", ")}, not in the container's environment (R:cmd/runner/rabbit.go os.ExpandEnv)`);
  else if (!u || !/^amqps?:$/.test(u.protocol) || !u.hostname || !u.username || !u.password)
    broken.push("AMQP_URL does not expand to amqp://USER:PASSWORD@HOST:PORT/ (R:internal/runner/rmq.go)");
  // The runner sizes itself from the host unless capped (R:cmd/runner/main.go resourceLimits;
  // R:internal/cpu_resource/cpu.go reads the host's cores and memory).
  for (const k of ["MAX_CORES", "MAX_MEM", "MAX_DISK"]) if (!env[k]) broken.push(`${k} is not set: the runner would size itself from the whole node (R:cmd/runner/main.go)`);
  const cores = Number(env.MAX_CORES), mem = humanBytes(env.MAX_MEM), disk = humanBytes(env.MAX_DISK);
  if (env.MAX_CORES && !(Number.isInteger(cores) && cores > 0 && cores <= Math.ceil(quantity(lim.cpu))))
    broken.push(`MAX_CORES ${env.MAX_CORES} is not a whole number of cores within the CPU limit ${lim.cpu ?? "(none)"}`);
  if (env.MAX_MEM && !(mem > 0 && mem <= quantity(lim.memory)))
    broken.push(`MAX_MEM ${env.MAX_MEM} is not within the memory limit ${lim.memory ?? "(none)"}`);
  const tmp = (pod.spec.volumes || []).find((v) => v.emptyDir && (c.volumeMounts || []).some((m) => m.name === v.name && m.mountPath === "/tmp"));
  if (env.MAX_DISK && !(disk > 0 && tmp && disk <= quantity(tmp.emptyDir.sizeLimit)))
    broken.push(`MAX_DISK ${env.MAX_DISK} is not within /tmp's emptyDir sizeLimit ${tmp?.emptyDir?.sizeLimit ?? "(none)"}`);
  // Without a GPU the runner exits unless CPU_ONLY (R:cmd/runner/main.go validateGPUOpts).
  if (!gpu && env.CPU_ONLY !== "true") broken.push("no GPU and CPU_ONLY is not true: no available GPUs (R:cmd/runner/main.go validateGPUOpts)");
  // The message key and passphrase (R:internal/defense/secret_store.go KubernetesWrapper under
  // ENCRYPT_DIR, default ./certs/message) and the request signing keys (request-signatures-dir,
  // default ./certs/queues/signing), relative to the WORKDIR.
  const abs = (p) => (p.startsWith("/") ? p : `${WORKDIR}/${p.replace(/^\.\//, "")}`);
  const enc = abs(env.ENCRYPT_DIR || "./certs/message"), sig = abs(env.REQUEST_SIGNATURES_DIR || "./certs/queues/signing");
  for (const f of [`${enc}/encryption/ssh-privatekey`, `${enc}/encryption/ssh-publickey`, `${enc}/passphrase/ssh-passphrase`, sig])
    if (!mounts.files[f]) broken.push(`${f} is not mounted from a Secret (R:internal/defense/secret_store.go, R:cmd/runner/main.go)`);
  if (!broken.length) return null;
  const logs = [];
  if (cmd[0] !== want) logs.push("env", ...Object.keys(env).sort().map((k) => `${k}=${env[k]}`), "export");
  for (const b of broken) logs.push(`runner contract: ${b}`);
  return { logs };
}
