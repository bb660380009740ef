// fakekube_workloads.mjs: pods for Deployments and DaemonSets on a clock, scheduling against
// a fake GPU capacity, image pull and crash faults, the runner's contract (fakekube_runner.mjs),
// and the controllers' status fields.
// Everything is computed when read (no timers): a pod's phase follows from when it was
// scheduled and the script's faults.
import crypto from "node:crypto";
import { RUNNER_CONTAINER, runnerContract } from "./fakekube_runner.mjs";

const POD_START_SECONDS = 1.0;   // Pending(ContainerCreating) -> Running/ready

export function now() { return Date.now() / 1000; }
export function stamp(t) { return new Date(t * 1000).toISOString().replace(/\.\d+Z$/, "Z"); }
function rand(n) { return crypto.randomBytes(8).toString("hex").replace(/[^bcdfghjklmnpqrstvwxz2456789]/g, "").padEnd(n, "x").slice(0, n); }

function gpuRequest(podSpec) {
  let n = 0;
  for (const c of podSpec.containers || []) {
    const r = (c.resources || {});
    const v = (r.limits || {})["nvidia.com/gpu"] ?? (r.requests || {})["nvidia.com/gpu"];
    if (v !== undefined) n += Number(v) || 0;
  }
  return n;
}

function matchImage(list, image) {
  return (list || []).find((f) => new RegExp(f.image).test(image));
}

export class Workloads {
  constructor(st) { this.st = st; }

  // Creates or replaces the pods of a Deployment or DaemonSet after its spec changed.
  reconcile(obj) {
    const st = this.st;
    const ns = obj.metadata.namespace, owner = obj.metadata.uid;
    for (const [k, p] of st.pods) if (p.owner === owner) st.pods.delete(k);
    const count = obj.kind === "DaemonSet" ? st.script.nodes : (obj.spec.replicas ?? 1);
    const hash = crypto.createHash("sha256").update(JSON.stringify(obj.spec.template)).digest("hex").slice(0, 10);
    for (let i = 0; i < count; i++) {
      const name = obj.kind === "DaemonSet" ? `${obj.metadata.name}-${rand(5)}` : `${obj.metadata.name}-${hash}-${rand(5)}`;
      const tmpl = JSON.parse(JSON.stringify(obj.spec.template));
      const labels = Object.assign({}, tmpl.metadata?.labels || {});
      if (obj.kind === "Deployment") labels["pod-template-hash"] = hash;
      const pod = {
        apiVersion: "v1", kind: "Pod",
        metadata: {
          name, namespace: ns, uid: crypto.randomUUID(), labels,
          creationTimestamp: stamp(now()), resourceVersion: String(st.nextRV()),
          generateName: name.slice(0, name.lastIndexOf("-") + 1),
          ownerReferences: [{ apiVersion: obj.kind === "DaemonSet" ? "apps/v1" : "apps/v1",
            kind: obj.kind === "DaemonSet" ? "DaemonSet" : "ReplicaSet",
            name: obj.kind === "DaemonSet" ? obj.metadata.name : `${obj.metadata.name}-${hash}`,
            uid: owner, controller: true, blockOwnerDeletion: true }],
        },
        spec: Object.assign({ restartPolicy: "Always", schedulerName: "default-scheduler" }, tmpl.spec),
      };
      const rec = { owner, pod, created: now(), scheduled: null, node: null, gpus: gpuRequest(tmpl.spec), daemon: obj.kind === "DaemonSet", index: i };
      st.pods.set(`${ns}/${name}`, rec);
    }
    this.schedule();
  }

  // Binds pending pods to nodes while capacity allows (DaemonSet pods: one per node).
  schedule() {
    const st = this.st;
    const used = new Array(st.script.nodes).fill(0);
    for (const p of st.pods.values()) if (p.node !== null) used[p.node] += p.gpus;
    for (const p of st.pods.values()) {
      if (p.node !== null) continue;
      if (p.daemon) { p.node = p.index % st.script.nodes; p.scheduled = now(); continue; }
      for (let n = 0; n < st.script.nodes; n++)
        if (p.gpus === 0 || st.gpuPerNode[n] - used[n] >= p.gpus) {
          p.node = n; p.scheduled = now(); used[n] += p.gpus; break;
        }
    }
  }

  removeOwned(uid) {
    for (const [k, p] of this.st.pods) if (p.owner === uid) this.st.pods.delete(k);
  }

  // The pod as the API returns it now.
  view(rec) {
    const st = this.st, t = now();
    const pod = JSON.parse(JSON.stringify(rec.pod));
    const cs = (pod.spec.containers || []);
    const status = { phase: "Pending", qosClass: "BestEffort", startTime: stamp(rec.created), conditions: [] };
    if (rec.node === null) {
      const n = st.script.nodes;
      status.conditions.push({ type: "PodScheduled", status: "False", lastProbeTime: null,
        lastTransitionTime: stamp(rec.created), reason: "Unschedulable",
        message: `0/${n} nodes are available: ${n} Insufficient nvidia.com/gpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.` });
      delete status.startTime;
      pod.status = status;
      return pod;
    }
    pod.spec.nodeName = `aks-gpu-${String(rec.node).padStart(8, "0")}`;
    status.hostIP = `10.224.0.${4 + rec.node}`;
    status.podIP = `10.244.${rec.node}.${10 + rec.index}`;
    status.conditions.push({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: stamp(rec.scheduled) });
    const since = t - rec.scheduled;
    let allReady = true;
    status.containerStatuses = cs.map((c) => {
      const s = { name: c.name, image: c.image, imageID: "", ready: false, restartCount: 0, started: false, state: {} };
      const pull = matchImage(st.script.image_pull_fail, c.image);
      const crash = matchImage(st.script.crash, c.image);
      const contract = c.name === RUNNER_CONTAINER ? runnerContract(st, rec.pod, c) : null;
      if (since < POD_START_SECONDS) {
        s.state.waiting = { reason: "ContainerCreating" };
      } else if (pull) {
        const msg = pull.message || `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`;
        s.state.waiting = since < POD_START_SECONDS + 1.0
          ? { reason: "ErrImagePull", message: msg }
          : { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}": ErrImagePull: ${msg}` };
      } else if (contract && contract.reason) {
        s.state.waiting = { reason: contract.reason, message: contract.message };
      } else if (crash || contract) {
        const restarts = 1 + Math.floor((since - POD_START_SECONDS) / 2);
        s.restartCount = restarts;
        s.imageID = "sha256:" + crypto.createHash("sha256").update(c.image).digest("hex");
        s.state.waiting = { reason: "CrashLoopBackOff",
          message: `back-off ${Math.min(300, 10 * 2 ** (restarts - 1))}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` };
        s.lastState = { terminated: { exitCode: (crash || {}).exit_code ?? 1, reason: "Error", startedAt: stamp(t - 1), finishedAt: stamp(t - 0.5) } };
        status.phase = "Running";
      } else {
        s.ready = true; s.started = true;
        s.imageID = "sha256:" + crypto.createHash("sha256").update(c.image).digest("hex");
        s.state.running = { startedAt: stamp(rec.scheduled + POD_START_SECONDS) };
        status.phase = "Running";
      }
      if (!s.ready) allReady = false;
      return s;
    });
    const tr = stamp(rec.scheduled + POD_START_SECONDS);
    status.conditions.push({ type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: stamp(rec.scheduled) });
    status.conditions.push({ type: "Ready", status: allReady ? "True" : "False", lastProbeTime: null, lastTransitionTime: tr,
      ...(allReady ? {} : { reason: "ContainersNotReady", message: `containers with unready status: [${cs.filter((c, i) => !status.containerStatuses[i].ready).map((c) => c.name).join(" ")}]` }) });
    status.conditions.push({ type: "ContainersReady", status: allReady ? "True" : "False", lastProbeTime: null, lastTransitionTime: tr });
    pod.status = status;
    return pod;
  }

  // The last log lines of a crashing container; an empty log otherwise.
  log(rec, container) {
    const cs = rec.pod.spec.containers || [];
    const c = container ? cs.find((x) => x.name === container) : cs[0];
    if (!c) return null;
    const contract = c.name === RUNNER_CONTAINER ? runnerContract(this.st, rec.pod, c) : null;
    if (contract && contract.logs) return contract.logs.map((l) => l + "\n").join("");
    const crash = matchImage(this.st.script.crash, c.image);
    if (crash) return (crash.logs || []).map((l) => l + "\n").join("");
    return "";
  }

  // Deployment or DaemonSet status from its pods.
  status(obj) {
    const pods = [...this.st.pods.values()].filter((p) => p.owner === obj.metadata.uid).map((p) => this.view(p));
    const ready = pods.filter((p) => p.status.conditions.some((c) => c.type === "Ready" && c.status === "True")).length;
    const gen = obj.metadata.generation;
    if (obj.kind === "DaemonSet")
      return { currentNumberScheduled: pods.length, desiredNumberScheduled: pods.length, numberMisscheduled: 0,
        numberReady: ready, numberAvailable: ready, updatedNumberScheduled: pods.length, observedGeneration: gen,
        ...(pods.length - ready ? { numberUnavailable: pods.length - ready } : {}) };
    const want = obj.spec.replicas ?? 1;
    const t = now();
    const changed = this.st.meta.get(obj.metadata.uid) || t;
    const deadline = obj.spec.progressDeadlineSeconds ?? 600;
    const conds = [{ type: "Available", status: ready >= want ? "True" : "False", lastUpdateTime: stamp(changed), lastTransitionTime: stamp(changed),
      reason: ready >= want ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
      message: ready >= want ? "Deployment has minimum availability." : "Deployment does not have minimum availability." }];
    const rs = `${obj.metadata.name}-${(pods[0]?.metadata.labels || {})["pod-template-hash"] || "0"}`;
    if (ready >= want) conds.push({ type: "Progressing", status: "True", lastUpdateTime: stamp(t), lastTransitionTime: stamp(changed), reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rs}" has successfully progressed.` });
    else if (t - changed > deadline) conds.push({ type: "Progressing", status: "False", lastUpdateTime: stamp(t), lastTransitionTime: stamp(changed + deadline), reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rs}" has timed out progressing.` });
    else conds.push({ type: "Progressing", status: "True", lastUpdateTime: stamp(t), lastTransitionTime: stamp(changed), reason: "ReplicaSetUpdated", message: `ReplicaSet "${rs}" is progressing.` });
    return { observedGeneration: gen, replicas: pods.length, updatedReplicas: pods.length, readyReplicas: ready || undefined,
      availableReplicas: ready || undefined, unavailableReplicas: pods.length - ready || undefined, conditions: conds };
  }
}
