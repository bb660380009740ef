// fakekube_jobs.mjs: batch/v1 Jobs whose containers run for real. A Job's pod runs its
// container's command (command + args; the image is not pulled: the image's files are this
// machine's) as a child process with the environment kubelet would give it (env values,
// secretKeyRef, configMapKeyRef, fieldRef metadata.name/namespace, envFrom configMapRef and
// secretRef with prefix), as the script's `job_uid` when set (the VM lab's data plane sends
// that uid's connections out with the cluster's outbound IP: tests/vm/nethook.py). stdout and
// stderr become the pod's log; the exit code makes the pod Succeeded or Failed, and the Job
// Complete or Failed as the Job controller does (backoffLimit with new pods for
// restartPolicy Never, activeDeadlineSeconds, ttlSecondsAfterFinished). Sources: the batch/v1
// Job API reference and "Jobs" in the Kubernetes 1.32 documentation (doc/runner-path.md).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import { now, stamp } from "./fakekube_workloads.mjs";

const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const LOG_MAX = 1 << 20;

function rand(n) { return crypto.randomBytes(8).toString("hex").replace(/[^bcdfghjklmnpqrstvwxz2456789]/g, "").padEnd(n, "x").slice(0, n); }

export class Jobs {
  constructor(st) { this.st = st; this.timers = new Map(); }

  // 422 message for a Job the API server refuses, or null (validation of batch/v1 Job).
  validate(full, old) {
    const rp = full.spec?.template?.spec?.restartPolicy;
    if (rp !== "Never" && rp !== "OnFailure")
      return `spec.template.spec.restartPolicy: ${rp === undefined ? "Required value" : `Unsupported value: "${rp}"`}: supported values: "OnFailure", "Never"`;
    if (old && JSON.stringify(old.obj.spec.template.spec) !== JSON.stringify(full.spec.template.spec))
      return "spec.template: Invalid value: field is immutable";
    return null;
  }

  // A new Job: defaults as the API server sets them, then its first pod.
  start(job) {
    const uid = job.metadata.uid, name = job.metadata.name;
    const labels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name };
    const s = job.spec;
    s.backoffLimit ??= 6; s.completions ??= 1; s.parallelism ??= 1; s.completionMode ??= "NonIndexed";
    s.suspend ??= false; s.podReplacementPolicy ??= "TerminatingOrFailed";
    s.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    s.template.metadata = { ...(s.template.metadata || {}), labels: { ...(s.template.metadata?.labels || {}), ...labels } };
    const rec = { job, started: now(), finished: null, failedReason: null, pods: [] };
    this.timers.set(uid, rec);
    if (s.activeDeadlineSeconds)
      rec.deadline = setTimeout(() => this.deadline(rec), s.activeDeadlineSeconds * 1000);
    this.newPod(rec);
  }

  newPod(rec) {
    const job = rec.job, ns = job.metadata.namespace;
    const tmpl = JSON.parse(JSON.stringify(job.spec.template));
    const name = `${job.metadata.name}-${rand(5)}`;
    const pod = {
      apiVersion: "v1", kind: "Pod",
      metadata: { name, namespace: ns, uid: crypto.randomUUID(), labels: tmpl.metadata.labels, generateName: `${job.metadata.name}-`,
        creationTimestamp: stamp(now()), resourceVersion: String(this.st.nextRV()),
        ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }] },
      spec: Object.assign({ schedulerName: "default-scheduler" }, tmpl.spec),
    };
    // node set: the GPU scheduler in fakekube_workloads.mjs leaves it alone.
    const p = { owner: job.metadata.uid, pod, created: now(), scheduled: now(), node: 0, gpus: 0, daemon: false, index: 0,
      job: true, log: "", exit: null, startedAt: null, finishedAt: null, waiting: null, child: null };
    this.st.pods.set(`${ns}/${name}`, p);
    rec.pods.push(p);
    this.run(rec, p);
  }

  // The container's environment as kubelet resolves it; {env} or {error} when a reference is missing.
  environment(p, c) {
    const ns = p.pod.metadata.namespace;
    const get = (plural, name) => this.st.get("", plural, ns, name)?.obj;
    const val = (o, key, secret) => {
      const v = o.data?.[key];
      return v === undefined ? undefined : secret ? Buffer.from(v, "base64").toString("utf8") : v;
    };
    const env = { PATH: CONTAINER_PATH, HOSTNAME: p.pod.metadata.name };
    for (const f of c.envFrom || []) {
      const ref = f.configMapRef || f.secretRef, secret = !!f.secretRef;
      const o = get(secret ? "secrets" : "configmaps", ref.name);
      if (!o) { if (ref.optional) continue; return { error: `${secret ? "secret" : "configmap"} "${ref.name}" not found` }; }
      for (const k of Object.keys(o.data || {})) env[(f.prefix || "") + k] = val(o, k, secret);
    }
    for (const e of c.env || []) {
      if (!e.valueFrom) { env[e.name] = e.value ?? ""; continue; }
      const ref = e.valueFrom.secretKeyRef || e.valueFrom.configMapKeyRef;
      if (ref) {
        const secret = !!e.valueFrom.secretKeyRef;
        const o = get(secret ? "secrets" : "configmaps", ref.name);
        const v = o ? val(o, ref.key, secret) : undefined;
        if (v === undefined) {
          if (ref.optional) continue;
          return { error: o ? `couldn't find key ${ref.key} in ${secret ? "Secret" : "ConfigMap"} ${ns}/${ref.name}` : `${secret ? "secret" : "configmap"} "${ref.name}" not found` };
        }
        env[e.name] = v;
      } else if (e.valueFrom.fieldRef) {
        const f = e.valueFrom.fieldRef.fieldPath;
        env[e.name] = f === "metadata.name" ? p.pod.metadata.name : f === "metadata.namespace" ? ns : "";
      }
    }
    return { env };
  }

  run(rec, p) {
    const c = p.pod.spec.containers[0];
    const argv = [...(c.command || []), ...(c.args || [])];
    if (!c.command?.length) { p.waiting = { reason: "StartError", message: "fakekube runs only containers with a command" }; return; }
    const r = this.environment(p, c);
    if (r.error) { p.waiting = { reason: "CreateContainerConfigError", message: r.error }; return; }
    p.waiting = null;
    const uid = this.st.script.job_uid;
    const opts = { env: r.env, cwd: c.workingDir || "/", stdio: ["ignore", "pipe", "pipe"], ...(uid !== undefined ? { uid, gid: uid } : {}) };
    let child;
    try { child = spawn(argv[0], argv.slice(1), opts); } catch (e) { p.waiting = { reason: "StartError", message: String(e.message) }; return; }
    p.child = child; p.startedAt = now();
    const add = (d) => { if (p.log.length < LOG_MAX) p.log += d.toString("utf8"); };
    child.stdout.on("data", add);
    child.stderr.on("data", add);
    child.on("error", (e) => { add(`exec ${argv[0]}: ${e.message}\n`); });
    child.on("close", (code, sig) => {
      p.child = null; p.finishedAt = now();
      p.exit = code ?? (sig ? 128 + (sig === "SIGKILL" ? 9 : 15) : 1);
      this.settle(rec);
    });
  }

  // After a pod ended: done, or a new pod while the backoff limit allows.
  settle(rec) {
    if (rec.finished) return;
    const failed = rec.pods.filter((p) => p.exit !== null && p.exit !== 0).length;
    if (rec.pods.some((p) => p.exit === 0)) this.finish(rec, null);
    else if (failed > rec.job.spec.backoffLimit) this.finish(rec, "BackoffLimitExceeded");
    else if (rec.pods.every((p) => p.exit !== null)) this.newPod(rec);
  }

  deadline(rec) {
    if (rec.finished) return;
    this.finish(rec, "DeadlineExceeded");
    for (const p of rec.pods) if (p.child) p.child.kill("SIGKILL");
  }

  finish(rec, reason) {
    rec.finished = now(); rec.failedReason = reason;
    clearTimeout(rec.deadline);
    const ttl = rec.job.spec.ttlSecondsAfterFinished;
    if (ttl !== undefined) rec.ttl = setTimeout(() => this.expire(rec), ttl * 1000);
  }

  // ttlSecondsAfterFinished: the Job and its pods go.
  expire(rec) {
    const m = rec.job.metadata;
    this.st.objects.delete(this.st.key("batch", "jobs", m.namespace, m.name));
    this.removeOwned(m.uid);
  }

  removeOwned(uid) {
    const rec = this.timers.get(uid);
    if (!rec) return;
    clearTimeout(rec.deadline); clearTimeout(rec.ttl);
    for (const p of rec.pods) if (p.child) p.child.kill("SIGKILL");
    for (const [k, p] of this.st.pods) if (p.owner === uid) this.st.pods.delete(k);
    this.timers.delete(uid);
  }

  status(job) {
    const rec = this.timers.get(job.metadata.uid);
    if (!rec) return {};
    const t = stamp(rec.finished || now());
    const active = rec.pods.filter((p) => p.exit === null).length;
    const succeeded = rec.pods.filter((p) => p.exit === 0).length, failed = rec.pods.filter((p) => p.exit !== null && p.exit !== 0).length;
    const s = { startTime: stamp(rec.started), ...(active ? { active } : {}), ...(succeeded ? { succeeded } : {}), ...(failed ? { failed } : {}),
      ready: 0, terminating: 0, uncountedTerminatedPods: {} };
    if (rec.finished && !rec.failedReason) {
      s.completionTime = t;
      s.conditions = [
        { type: "SuccessCriteriaMet", status: "True", lastProbeTime: t, lastTransitionTime: t, reason: "CompletionsReached", message: "Reached expected number of succeeded pods" },
        { type: "Complete", status: "True", lastProbeTime: t, lastTransitionTime: t, reason: "CompletionsReached", message: "Reached expected number of succeeded pods" }];
    } else if (rec.finished) {
      const message = rec.failedReason === "DeadlineExceeded" ? "Job was active longer than specified deadline" : "Job has reached the specified backoff limit";
      s.conditions = [
        { type: "FailureTarget", status: "True", lastProbeTime: t, lastTransitionTime: t, reason: rec.failedReason, message },
        { type: "Failed", status: "True", lastProbeTime: t, lastTransitionTime: t, reason: rec.failedReason, message }];
    }
    return s;
  }

  view(p) {
    if (p.waiting && p.exit === null && !p.child) {
      const rec = this.timers.get(p.owner);
      if (rec && !rec.finished) this.run(rec, p);   // kubelet retries a missing Secret or ConfigMap
    }
    const pod = JSON.parse(JSON.stringify(p.pod));
    const c = pod.spec.containers[0];
    pod.spec.nodeName = "aks-system-00000000";
    const s = { name: c.name, image: c.image, imageID: "", ready: false, restartCount: 0, started: false, state: {} };
    let phase = "Pending";
    if (p.exit !== null) {
      phase = p.exit === 0 ? "Succeeded" : "Failed";
      s.state.terminated = { exitCode: p.exit, reason: p.exit === 0 ? "Completed" : "Error", startedAt: stamp(p.startedAt || p.created), finishedAt: stamp(p.finishedAt) };
    } else if (p.child) {
      phase = "Running"; s.ready = true; s.started = true;
      s.state.running = { startedAt: stamp(p.startedAt) };
    } else {
      s.state.waiting = p.waiting || { reason: "ContainerCreating" };
    }
    pod.status = { phase, qosClass: "BestEffort", hostIP: "10.224.0.4", podIP: "10.244.0.200", startTime: stamp(p.created), containerStatuses: [s],
      conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: stamp(p.scheduled) }] };
    return pod;
  }

  log(p, container) {
    const c = p.pod.spec.containers;
    if (container && !c.some((x) => x.name === container)) return null;
    return p.log;
  }
}
