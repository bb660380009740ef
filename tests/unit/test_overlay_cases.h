/* tests/unit/test_overlay_cases.h: the cases of test_overlay.c (included once, after its helpers). */

/* Checks the runner keys with openssl and ssh-keygen, and that the cluster got the sealed ones. */
static void check_keys(struct fix *f, cJSON *applied)
{
	char path[900], pub[900], pp[900], sk[900], buf[16384];
	size_t klen, plen, slen;
	char *key = vault_value(f, "runner-encryption-key", &klen);
	char *phrase = vault_value(f, "runner-key-passphrase", &plen);
	char *sign = vault_value(f, "experimenter-signing-key", &slen);
	assert_non_null(strstr(key, "-----BEGIN RSA PRIVATE KEY-----"));
	assert_non_null(strstr(key, "Proc-Type: 4,ENCRYPTED"));
	assert_non_null(strstr(key, "DEK-Info: AES-128-CBC,"));
	assert_true(plen >= 20 && phrase[plen - 1] != '\n');
	/* The cluster holds exactly the sealed values (the passphrase without a newline). */
	assert_int_equal(secret_value(applied, "studioml-runner-key-secret", "ssh-privatekey", buf, sizeof buf), klen);
	assert_memory_equal(buf, key, klen);
	assert_int_equal(secret_value(applied, "studioml-runner-passphrase-secret", "ssh-passphrase", buf, sizeof buf), plen);
	assert_memory_equal(buf, phrase, plen);
	snprintf(path, sizeof path, "%s/k.pem", f->dir);
	snprintf(pp, sizeof pp, "%s/k.pass", f->dir);
	snprintf(pub, sizeof pub, "%s/k.pub", f->dir);
	write_file(path, key, klen);
	write_file(pp, phrase, plen);
	/* openssl decrypts it with the passphrase from a file (never argv), 4096 bits, and its
	 * public half is the ssh-publickey the runner got. */
	assert_int_equal(sh("openssl rsa -in '%s' -passin 'file:%s' -RSAPublicKey_out -out '%s' 2>/dev/null", path, pp, pub), 0);
	assert_int_equal(sh("openssl rsa -in '%s' -passin 'file:%s' -noout -text 2>/dev/null | grep -q 'Private-Key: (4096 bit'",
	                    path, pp), 0);
	assert_int_not_equal(sh("echo wrong > '%s.bad'; openssl rsa -in '%s' -passin 'file:%s.bad' -noout 2>/dev/null", pp, path, pp), 0);
	char *derived = read_text(pub);
	assert_non_null(derived);
	secret_value(applied, "studioml-runner-key-secret", "ssh-publickey", buf, sizeof buf);
	assert_string_equal(buf, derived);
	free(derived);
	/* ssh-keygen reads the signing key; its public line is the studioml-signing rmq_ value. */
	snprintf(sk, sizeof sk, "%s/sign", f->dir);
	write_file(sk, sign, slen);
	assert_int_equal(sh("ssh-keygen -l -f '%s' | grep -q '(ED25519)$'", sk), 0);
	secret_value(applied, "studioml-signing", "rmq_", buf, sizeof buf);
	assert_int_equal(strncmp(buf, "ssh-ed25519 ", 12), 0);
	assert_int_equal(sh("test \"$(ssh-keygen -y -f '%s' | cut -d' ' -f1,2)\" = \"$(printf '%%s' '%s' | cut -d' ' -f1,2)\"",
	                    sk, buf), 0);
	free(key);
	free(phrase);
	free(sign);
}

static cJSON *rv_map(void)
{
	cJSON *objs = fake_json("/_fake/objects"), *out = cJSON_CreateObject(), *o;
	cJSON_ArrayForEach(o, objs)
	{
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind"));
		cJSON *m = cJSON_GetObjectItem(o, "metadata");
		if (!strcmp(kind, "Pod"))
			continue;
		char k[600];
		snprintf(k, sizeof k, "%s/%s/%s", kind, cJSON_GetStringValue(cJSON_GetObjectItem(m, "namespace")) ?: "",
		         cJSON_GetStringValue(cJSON_GetObjectItem(m, "name")));
		cJSON_AddStringToObject(out, k, cJSON_GetStringValue(cJSON_GetObjectItem(m, "resourceVersion")));
	}
	cJSON_Delete(objs);
	return out;
}

static void forget_actions(struct fix *f)
{
	char err[512];
	struct state *st = NULL;
	assert_int_equal(state_load(f->dir, "test", &st, err, sizeof err), STATE_OK);
	cJSON_Delete(st->actions);
	st->actions = cJSON_CreateObject();
	st->steps[plan_step_parse("overlay")].status = STEP_PENDING;
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
}

static void test_gpu_install_pending_then_running(void **state)
{
	(void)state;
	struct fix f;
	fake_post("/_fake/reset", "{\"nodes\": 2, \"gpus_per_node\": 0}");
	fix_new(&f, "gpu", "gpu", 2, 1, KEYS_MADE_BY_STEP);
	events[0] = 0;
	add_capacity = 1;
	assert_int_equal(fix_run(&f), 0);
	/* The pods waited for GPUs (shown with the scheduler's reason), then ran once the fake added them. */
	assert_int_equal(add_capacity, 0);
	assert_non_null(strstr(events, "Pending Unschedulable: 0/2 nodes are available: 2 Insufficient nvidia.com/gpu"));
	assert_non_null(strstr(events, "2 runner pods Running and ready in team-a"));
	cJSON *applied = fake_json("/_fake/applied");
	/* Replicas = 2 nodes x 1 GPU; one GPU per pod; the device plugin is there. */
	cJSON *dep = applied_find(applied, "Deployment", "studioml-go-runner-deployment");
	assert_non_null(dep);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(dep, "spec"), "replicas")->valueint, 2);
	char *dj = cJSON_PrintUnformatted(dep);
	assert_non_null(strstr(dj, "\"image\":\"" IMAGE "\""));
	/* One pod per GPU on a Standard_ND96asr_v4 (96 vCPU, 900 GiB, 6000 GiB temp disk): the node less
	 * AKS's reserves (1060m, 4816 MiB + 100 MiB) and the DaemonSets' allowance (500m, 1 GiB); /tmp is
	 * 90 % of the ephemeral OS disk less 30 GiB; requests = limits (doc/runner-sizing.md). */
	assert_non_null(strstr(dj, "\"requests\":{\"cpu\":\"94440m\",\"memory\":\"915660Mi\",\"nvidia.com/gpu\":\"1\"},"
	                           "\"limits\":{\"cpu\":\"94440m\",\"memory\":\"915660Mi\",\"nvidia.com/gpu\":\"1\"}"));
	assert_non_null(strstr(dj, "{\"name\":\"tmp-volume\",\"emptyDir\":{\"sizeLimit\":\"5370Gi\"}}"));
	/* The binary itself, not run.sh (which prints the environment), with run.sh's library path. */
	assert_non_null(strstr(dj, "\"command\":[\"/runner/runner-linux-amd64\"]"));
	assert_non_null(strstr(dj, "{\"name\":\"LD_LIBRARY_PATH\",\"value\":\"/usr/local/nvidia/lib:/usr/local/nvidia/lib64:"
	                           "/usr/local/cuda/lib64\"}"));
	assert_non_null(strstr(dj, "{\"key\":\"sku\",\"operator\":\"Equal\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}"));
	assert_non_null(strstr(dj, "\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"}"));
	free(dj);
	assert_non_null(applied_find(applied, "DaemonSet", "nvidia-device-plugin-daemonset"));
	cJSON *cm = applied_find(applied, "ConfigMap", "studioml-env");
	assert_non_null(cm);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "AMQP_URL")),
	                    "amqp://${RMQ_USER}:${RMQ_PASS}@10.1.2.3:5672/");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "K8S_NAMESPACE")), "team-a");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "MAX_CORES")), "94");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "MAX_MEM")), "914636MiB");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "MAX_DISK")), "4564GiB");
	/* The ConfigMap the runner watches, in its namespace: without STATE Running it takes no work. */
	cJSON *state_cm = applied_find(applied, "ConfigMap", "studioml-go-runner");
	assert_non_null(state_cm);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(state_cm, "metadata"), "namespace")),
	                    "team-a");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(state_cm, "data"), "STATE")), "Running");
	assert_non_null(strstr(events, "each runner pod: 94440m CPU (MAX_CORES 94), 915660 MiB"));
	char buf[4096];
	assert_int_equal(secret_value(applied, "studioml-amqp", "RMQ_PASS", buf, sizeof buf), strlen(RMQ_PASS));
	assert_string_equal(buf, RMQ_PASS);
	/* No password in anything but the Secret: not in the applied objects' text, not in the overlay's files. */
	char *all = cJSON_PrintUnformatted(applied);
	assert_null(strstr(all, RMQ_PASS));
	free(all);
	assert_int_equal(sh("test -f '%s/runner/kustomization.yaml' && grep -rq '%s' '%s'; test $? -eq 1", f.overlay, RMQ_PASS, f.overlay), 0);
	assert_int_equal(sh("grep -rq 'kind: Secret' '%s'; test $? -eq 1", f.overlay), 0);
	/* Modes: the directory 0755, its files 0644. */
	assert_int_equal(sh("test \"$(stat -c %%a '%s' '%s/runner' '%s/runner/deployment.yaml' | sort -u | tr '\\n' ' ')\" = '644 755 '",
	                    f.overlay, f.overlay, f.overlay), 0);
	/* The files hold the objects as applied: the image where the operator looks for it. */
	assert_int_equal(sh("grep -qxF '        image: " IMAGE "' '%s/runner/deployment.yaml'", f.overlay), 0);
	/* kubectl kustomize renders exactly the non-Secret objects the fake received. */
	const char *top = getenv("SW_TOP");
	assert_int_equal(sh("python3 '%s/tests/unit/overlay_compare.py' '%s' '%s'", top ? top : ".", f.overlay, control), 0);
	check_keys(&f, applied);
	cJSON_Delete(applied);

	/* A rerun of the finished install changes nothing; nor does applying it all again. */
	cJSON *before = rv_map();
	events[0] = 0;
	assert_int_equal(fix_run(&f), 0);
	assert_non_null(strstr(events, "step-skipped"));
	forget_actions(&f);
	events[0] = 0;
	assert_int_equal(fix_run(&f), 0);
	assert_non_null(strstr(events, "kept the keys made earlier"));
	assert_non_null(strstr(events, "action-end overlay.apply"));
	cJSON *after = rv_map();
	assert_true(cJSON_GetArraySize(before) >= 10);
	assert_true(cJSON_Compare(before, after, 1));
	cJSON_Delete(after);

	/* A file the operator changed is kept, with a warning; the others stay the wizard's. */
	assert_int_equal(sh("printf '# mine\\n' >> '%s/runner/kustomization.yaml'", f.overlay), 0);
	forget_actions(&f);
	events[0] = 0;
	assert_int_equal(fix_run(&f), 0);
	assert_non_null(strstr(events, "kept runner/kustomization.yaml, changed since the wizard wrote it"));
	assert_int_equal(sh("tail -n 1 '%s/runner/kustomization.yaml' | grep -q '^# mine$'", f.overlay), 0);
	after = rv_map();
	assert_true(cJSON_Compare(before, after, 1));
	cJSON_Delete(after);
	cJSON_Delete(before);

	/* The experimenter's config from the real binary: the installed endpoints and keys, 0600, never over a file. */
	const char *bin = getenv("SW_BIN");
	if (bin) {
		char out[900], pf[900];
		snprintf(out, sizeof out, "%s/exp/config.yaml", f.dir);
		snprintf(pf, sizeof pf, "%s/pass", f.dir);
		write_file(pf, PASS "\n", strlen(PASS) + 1);
		/* --accept-state: this fixture writes its state in-process, unsigned (the wizard signs
		 * its own; tests/cli/test_state_tamper.sh covers the refusal of an unsigned one). */
		assert_int_equal(sh("mkdir -p '%s/exp' && '%s' --state-dir '%s' --passphrase-fd 3 --accept-state export "
		                    "experimenter --out '%s' 3<'%s' >/dev/null 2>'%s.err'",
		                    f.dir, bin, f.dir, out, pf, out),
		                 0);
		assert_int_equal(sh("grep -q 'holds the queue password' '%s.err'", out), 0);
		/* As studioml reads it (PyYAML). */
		assert_int_equal(sh("python3 -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1])); s = c[\"storage\"]; "
		                    "a = s[\"credentials\"][\"aws\"]; "
		                    "assert c[\"cloud\"][\"queue\"][\"rmq\"].startswith(\"amqp://studioml:" RMQ_PASS "@10.1.2.3:5672/%%2f?\"); "
		                    "assert s[\"endpoint\"] == c[\"database\"][\"endpoint\"] == \"http://10.1.2.4:9000\"; "
		                    "assert s[\"bucket\"] == \"studioml-artifacts\" and a[\"access_key\"] == \"minioadmin7\"; "
		                    "assert a[\"secret_access_key\"] == c[\"env\"][\"AWS_SECRET_ACCESS_KEY\"] == \"Minio/Secret+Key9\"; "
		                    "assert c[\"public_key_path\"] == sys.argv[2]' '%s' '%s/exp/config-request.pub.pem'",
		                    out, f.dir), 0);
		assert_int_equal(sh("test \"$(stat -c %%a '%s' '%s/exp/config-request.pub.pem' '%s/exp/config-signing' | sort -u)\" = 600",
		                    out, f.dir, f.dir), 0);
		assert_int_equal(sh("ssh-keygen -l -f '%s/exp/config-signing' >/dev/null", f.dir), 0);
		size_t klen;
		char *key = vault_value(&f, "runner-encryption-key", &klen);
		write_file(pf, key, klen);   /* reuse: the encryption key to compare the public half */
		free(key);
		assert_int_equal(sh("printf '%%s' \"$(cat '%s/k.pass')\" > '%s/k2.pass' && openssl rsa -in '%s' -passin 'file:%s/k2.pass' "
		                    "-RSAPublicKey_out 2>/dev/null | cmp -s - '%s/exp/config-request.pub.pem'", f.dir, f.dir, pf, f.dir, f.dir), 0);
		/* Never over an existing file. */
		write_file(pf, PASS "\n", strlen(PASS) + 1);
		assert_int_equal(sh("cp '%s' '%s.before' && '%s' --state-dir '%s' --passphrase-fd 3 --accept-state export experimenter --out '%s' 3<'%s' "
		                    ">/dev/null 2>'%s.err2'; rc=$?; test $rc -eq 1 && grep -q 'exists already' '%s.err2' && cmp -s '%s' '%s.before'",
		                    out, out, bin, f.dir, out, pf, out, out, out, out), 0);
	}
	fix_free(&f);
}

static void test_cpu_mode_renders_what_was_applied(void **state)
{
	(void)state;
	struct fix f;
	fake_post("/_fake/reset", "{\"nodes\": 3, \"gpus_per_node\": 0}");
	fix_new(&f, "cpu", "cpu", 3, 0, KEYS_SEEDED);
	/* A queue pattern full of YAML syntax reaches the cluster and the files as typed. */
	static const char tricky[] = "- ^rmq_[a-z]+: #x 'y' \"z\" \\d{2}|yes$";
	cJSON *ans = cJSON_Parse(f.answers);
	cJSON_AddStringToObject(cJSON_GetObjectItem(ans, "overlay"), "queue_match", tricky);
	assert_true(cJSON_PrintPreallocated(ans, f.answers, sizeof f.answers, 0));
	cJSON_Delete(ans);
	events[0] = 0;
	assert_int_equal(fix_run(&f), 0);
	assert_non_null(strstr(events, "3 runner pods Running and ready in team-a"));
	cJSON *applied = fake_json("/_fake/applied");
	assert_null(applied_find(applied, "DaemonSet", "nvidia-device-plugin-daemonset"));
	cJSON *cm = applied_find(applied, "ConfigMap", "studioml-env");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "QUEUE_MATCH")), tricky);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "CPU_ONLY")), "true");
	char *dj = cJSON_PrintUnformatted(applied_find(applied, "Deployment", "studioml-go-runner-deployment"));
	assert_non_null(strstr(dj, "\"replicas\":3"));
	/* One pod per Standard_D4s_v5 (4 vCPU, 16 GiB, no temp disk: a 128 GiB managed OS disk), the
	 * CPU build of the runner. */
	assert_non_null(strstr(dj, "\"requests\":{\"cpu\":\"3360m\",\"memory\":\"11164Mi\"},"
	                           "\"limits\":{\"cpu\":\"3360m\",\"memory\":\"11164Mi\"}"));
	assert_non_null(strstr(dj, "\"sizeLimit\":\"85Gi\""));
	assert_non_null(strstr(dj, "\"command\":[\"/runner/runner-linux-amd64-cpu\"]"));
	assert_null(strstr(dj, "nvidia.com/gpu"));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "MAX_CORES")), "3");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "MAX_MEM")), "10140MiB");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cm, "data"), "MAX_DISK")), "72GiB");
	free(dj);
	const char *top = getenv("SW_TOP");
	assert_int_equal(sh("python3 '%s/tests/unit/overlay_compare.py' '%s' '%s'", top ? top : ".", f.overlay, control), 0);
	assert_int_equal(sh("test ! -e '%s/device-plugin'", f.overlay), 0);

	/* The pods ran because the overlay keeps the runner's contract (tests/fake/fakekube_runner.mjs):
	 * break one rule with kubectl and they crash with the rule in their log; mend it and they run. */
	char kc[900];
	snprintf(kc, sizeof kc, "%s/kubeconfig", f.dir);
	write_file(kc, kubeconfig_text, kubeconfig_len);
#define KCTL "cd '%s' && export KUBECONFIG=kubeconfig && "
#define STATE_CM "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: studioml-go-runner\\n  namespace: team-a\\n" \
	"data:\\n  STATE: %s\\n' | kubectl apply --server-side --force-conflicts --field-manager=studio-wizard -f - >/dev/null && "
#define PODS "kubectl -n team-a get pods -o jsonpath='{range .items[*]}{.status.containerStatuses[0].state.waiting.reason}" \
	"{.status.containerStatuses[0].ready}{\"\\n\"}{end}'"
#define PODS_WAIT(what) "for i in $(seq 100); do " PODS " | grep -q '^" what "' && break; sleep 0.1; done; " \
	PODS " | grep -q '^" what "' && "
#define LOG_HAS(text) "kubectl -n team-a logs $(kubectl -n team-a get pods -o name | head -n 1) | grep -qF '" text "'"
	assert_int_equal(sh(KCTL STATE_CM PODS_WAIT("CrashLoopBackOff")
	                    LOG_HAS("runner contract: STATE Paused in ConfigMap team-a/studioml-go-runner is not a K8sState"),
	                    f.dir, "Paused"), 0);
	assert_int_equal(sh(KCTL STATE_CM "test \"$(" PODS " | sort | uniq -c | tr -s ' ')\" = ' 3 true'", f.dir,
	                    "Running"), 0);
	/* Without the command the image's run.sh starts and prints the environment, password included. */
	cJSON *d = applied_find(applied, "Deployment", "studioml-go-runner-deployment");
	cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "spec"),
	                                                                                               "template"), "spec"),
	                                                   "containers"), 0);
	cJSON_DeleteItemFromObject(c0, "command");
	char dep[900], *dtext = cJSON_Print(d);
	snprintf(dep, sizeof dep, "%s/dep.json", f.dir);
	write_file(dep, dtext, strlen(dtext));
	free(dtext);
	assert_int_equal(sh(KCTL "kubectl apply --server-side --force-conflicts --field-manager=studio-wizard -f dep.json >/dev/null && "
	                    PODS_WAIT("CrashLoopBackOff") LOG_HAS("runner contract: the command is the image") " && "
	                    LOG_HAS("RMQ_PASS=" RMQ_PASS), f.dir), 0);
#undef KCTL
#undef STATE_CM
#undef PODS
#undef PODS_WAIT
#undef LOG_HAS
	cJSON_Delete(applied);
	fix_free(&f);
}

static void test_image_pull_failure_reported(void **state)
{
	(void)state;
	struct fix f;
	fake_post("/_fake/reset", "{\"nodes\": 1, \"gpus_per_node\": 1, \"image_pull_fail\": [{\"image\": \"azure-studio-go-runner\","
	                          " \"message\": \"failed to pull: unauthorized: authentication required\"}]}");
	fix_new(&f, "pull", "gpu", 1, 1, KEYS_SEEDED);
	overlay_set_rollout_timing(200, 4000);
	events[0] = 0;
	assert_int_not_equal(fix_run(&f), 0);
	overlay_set_rollout_timing(200, 30000);
	assert_non_null(strstr(events, "1 pod Pending ImagePullBackOff: Back-off pulling image \"" IMAGE "\""));
	assert_non_null(strstr(events, "the cluster cannot pull the runner image (ImagePullBackOff: "));
	assert_non_null(strstr(events, "unauthorized: authentication required"));
	assert_non_null(strstr(events, "az aks check-acr"));
	fix_free(&f);
}

/* A runner image whose start script prints the environment (run.sh at 0.14.2) and exits: the
 * last log lines are shown, but never the one holding the queue password from the vault, and
 * the password is in no event and no file of the profile. */
static void test_crash_log_never_shows_a_vault_value(void **state)
{
	(void)state;
	struct fix f;
	fake_post("/_fake/reset", "{\"nodes\": 1, \"gpus_per_node\": 1, \"crash\": [{\"image\": \"azure-studio-go-runner\","
	                          " \"logs\": [\"env\", \"RMQ_USER=studioml\", \"RMQ_PASS=" RMQ_PASS "\", \"no available GPUs\"]}]}");
	fix_new(&f, "crashenv", "gpu", 1, 1, KEYS_SEEDED);
	overlay_set_rollout_timing(200, 4000);
	events[0] = 0;
	assert_int_not_equal(fix_run(&f), 0);
	overlay_set_rollout_timing(200, 30000);
	assert_non_null(strstr(events, "the runner exits at start"));
	assert_non_null(strstr(events, "env; RMQ_USER=studioml; no available GPUs; (1 line withheld: it holds a vault value)"));
	assert_null(strstr(events, RMQ_PASS));
	assert_int_equal(sh("test -s '%s/state.json' || ls '%s' | grep -q json", f.dir, f.dir), 0);
	assert_int_equal(sh("grep -rqF '%s' '%s'; test $? -eq 1", RMQ_PASS, f.dir), 0);
	fix_free(&f);
}

static void test_kill_during_apply_then_resume(void **state)
{
	(void)state;
	struct fix f;
	/* The Deployment's apply keeps failing, so the run is surely inside the apply when killed. */
	fake_post("/_fake/reset", "{\"nodes\": 2, \"gpus_per_node\": 1, \"faults\": [{\"method\": \"PATCH\", \"path\": "
	                          "\"/deployments/\", \"times\": 100000, \"status\": 503, \"message\": \"injected\"}]}");
	fix_new(&f, "kill", "gpu", 2, 1, KEYS_SEEDED);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		fix_run(&f);
		_exit(0);
	}
	int seen = 0;
	for (int i = 0; i < 600 && !seen; i++) {
		cJSON *reqs = fake_json("/_fake/requests"), *r;
		cJSON_ArrayForEach(r, reqs)
		{
			const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
			if (p && strstr(p, "/deployments/") && cJSON_GetObjectItem(r, "status")->valueint == 503)
				seen = 1;
		}
		cJSON_Delete(reqs);
		if (!seen)
			usleep(50000);
	}
	assert_true(seen);
	kill(child, SIGKILL);
	int status;
	waitpid(child, &status, 0);
	assert_true(WIFSIGNALED(status));
	size_t klen;
	char *key = vault_value(&f, "runner-encryption-key", &klen);
	fake_post("/_fake/script", "{\"nodes\": 2, \"gpus_per_node\": 1}");
	events[0] = 0;
	assert_int_equal(fix_run(&f), 0);
	assert_non_null(strstr(events, "2 runner pods Running and ready"));
	/* The keys sealed before the kill are the ones the cluster got. */
	cJSON *applied = fake_json("/_fake/applied");
	char buf[16384];
	assert_int_equal(secret_value(applied, "studioml-runner-key-secret", "ssh-privatekey", buf, sizeof buf), klen);
	assert_memory_equal(buf, key, klen);
	cJSON_Delete(applied);
	free(key);
	const char *top = getenv("SW_TOP");
	assert_int_equal(sh("python3 '%s/tests/unit/overlay_compare.py' '%s' '%s'", top ? top : ".", f.overlay, control), 0);
	fix_free(&f);
}
