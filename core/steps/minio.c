/* Step 3, Minio: an Ubuntu LTS VM with an empty data disk at LUN 0, partitioned, formatted
 * and mounted at /data (minio_disk.c), the MinIO community binary checked by sha256, a
 * system account, its root keys generated and sealed before they are sent (SFTP, 0600), a
 * systemd unit written here; proven from this machine: the S3 port answers on the public IP,
 * and ListBuckets, the bucket, and put/get/delete of a probe object work with the sealed
 * keys through an SSH tunnel (the keys never cross the internet in clear). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/probe/s3.h"
#include "core/probe/connect.h"
#include "core/steps/minio_int.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"
#include "secrets/secmem.h"

#define MINIO_ACCESS "minio-access-key"
#define MINIO_SECRET "minio-secret-key"
#define MINIO_TCP_TIMEOUT_MS 10000L
#define MINIO_PROBE_KEY "studio-wizard-probe.txt"

const struct vm_spec minio_spec = {
	.key = "minio", .q_group = "minio.resource_group", .q_name = "minio.vm_name",
	.q_size = "minio.vm_size", .q_admin = "minio.admin_user", .q_ssh_key = "minio.ssh_public_key_file",
	.q_sources = "minio.allowed_sources", .q_disk_gb = "minio.data_disk_gb", .host_key_secret = "minio-host-key",
	.out_ip = "minio.public_ip", .out_image = "minio.image",
	.ports = {{"allow-ssh", NULL, 22}, {"allow-s3", "minio.port", 0}}, .nports = 2,
};
#define spec minio_spec

static void keys_start(struct act *a) { vm_keys_start(a, &spec); }
static void image_start(struct act *a) { vm_image_start(a, &spec); }
static cJSON *ip_body(struct act *a, char *e, size_t n) { return vm_ip_body(a, &spec, e, n); }
static int ip_created(struct act *a, const cJSON *r, char *e, size_t n) { return vm_ip_created(a, &spec, r, e, n); }
static cJSON *vnet_body(struct act *a, char *e, size_t n) { return vm_vnet_body(a, &spec, e, n); }
static cJSON *nsg_body(struct act *a, char *e, size_t n) { return vm_nsg_body(a, &spec, e, n); }
static cJSON *nic_body(struct act *a, char *e, size_t n) { return vm_nic_body(a, &spec, e, n); }
static cJSON *vm_body(struct act *a, char *e, size_t n) { return vm_vm_body(a, &spec, e, n); }
static void nsg_describe(const struct answers *a, char *o, size_t n) { vm_nsg_describe(a, &spec, o, n); }
static void vm_describe(const struct answers *a, char *o, size_t n) { vm_vm_describe(a, &spec, o, n); }

/* ---- the server: account, keys, unit ---- */

struct server_data {
	struct vmssh ssh;
	char envpath[256];
};

static const char server_prepare[] =
	"id minio-user >/dev/null 2>&1 || { useradd --system --no-create-home --shell /usr/sbin/nologin minio-user; "
	"echo 'made the system account minio-user'; }\n"
	"findmnt -rno TARGET /data >/dev/null || { echo '/data is not mounted'; exit 1; }\n"
	"mkdir -p /data/minio\n"
	"chown minio-user:minio-user /data/minio\n"
	"chmod 0750 /data/minio\n";

/* $ENVFILE: the keys' file as SFTP wrote it in the admin user's home; $PORT: minio.port. */
static const char server_unit[] =
	"install -m 0600 -o root -g root \"$ENVFILE\" /etc/default/minio\n"
	"rm -f \"$ENVFILE\"\n"
	"cat >/etc/systemd/system/minio.service.new <<'UNIT'\n"
	"[Unit]\n"
	"Description=MinIO object storage (written by studio-wizard)\n"
	"Wants=network-online.target\n"
	"After=network-online.target\n"
	"RequiresMountsFor=/data\n"
	"AssertFileIsExecutable=/usr/local/bin/minio\n"
	"\n"
	"[Service]\n"
	"Type=simple\n"
	"User=minio-user\n"
	"Group=minio-user\n"
	"EnvironmentFile=/etc/default/minio\n"
	"ExecStart=/usr/local/bin/minio server $MINIO_OPTS $MINIO_VOLUMES\n"
	"Restart=always\n"
	"LimitNOFILE=65536\n"
	"TimeoutStopSec=30\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n"
	"UNIT\n"
	"mv -f /etc/systemd/system/minio.service.new /etc/systemd/system/minio.service\n"
	"systemctl daemon-reload\n"
	"systemctl enable minio >/dev/null 2>&1 || systemctl enable minio\n"
	"systemctl restart minio\n"
	"i=0\n"
	"until ss -Hltn 2>/dev/null | awk '{print $4}' | grep -qx \".*:$PORT\"; do\n"
	"  i=$((i + 1)); [ $i -le 60 ] || { echo \"minio does not listen on port $PORT\"; tail -n 20 /var/log/minio.log "
	"2>/dev/null; journalctl -u minio -n 20 --no-pager 2>/dev/null; exit 1; }\n"
	"  sleep 0.5\n"
	"done\n"
	"echo \"minio is $(systemctl is-active minio), enabled, listening on port $PORT\"\n";

static void server_end(struct act *a, int ok, const char *what, int status, const char *err)
{
	struct server_data *d = act_data(a);
	vmssh_close(&d->ssh);
	if (ok)
		act_done(a, "minio running as minio-user, keys <sealed:%s>/<sealed:%s>", MINIO_ACCESS, MINIO_SECRET);
	else
		act_fail(a, "%s (exit %d): %s", what, status, err ? err : "");
}

static void server_after_unit(struct act *a, int status, const char *err)
{
	server_end(a, status == 0, "starting the minio service failed", status, err);
}

static void server_after_env(struct act *a, int status, const char *err)
{
	struct server_data *d = act_data(a);
	const char *port = act_answer(a, "minio.port");
	if (status != 0) {
		server_end(a, 0, "writing the MinIO keys over SFTP failed", status, err);
		return;
	}
	const char *kv[] = {"ENVFILE", d->envpath, "PORT", port, NULL};
	if (vmssh_script(&d->ssh, kv, server_unit, server_after_unit) != 0)
		server_end(a, 0, "ssh: cannot run the service script", -1, NULL);
}

static void server_after_prepare(struct act *a, int status, const char *err)
{
	struct server_data *d = act_data(a);
	const unsigned char *ak, *sk;
	size_t aklen, sklen;
	if (status != 0) {
		server_end(a, 0, "preparing the account and /data/minio failed", status, err);
		return;
	}
	if (act_secret_get(a, MINIO_ACCESS, &ak, &aklen) != 0 || act_secret_get(a, MINIO_SECRET, &sk, &sklen) != 0) {
		server_end(a, 0, "the vault lost the MinIO keys", -1, NULL);
		return;
	}
	char head[256];
	int hl = snprintf(head, sizeof head, "MINIO_VOLUMES=/data/minio\nMINIO_OPTS=\"--address :%s --console-address "
	                                     "127.0.0.1:9001\"\nMINIO_ROOT_USER=",
	                  act_answer(a, "minio.port"));
	size_t len = (size_t)hl + aklen + 20 + sklen + 1;
	char *env = secmem_alloc(len + 1);
	if (!env) {
		server_end(a, 0, "out of memory", -1, NULL);
		return;
	}
	size_t o = 0;
	memcpy(env + o, head, (size_t)hl), o += (size_t)hl;
	memcpy(env + o, ak, aklen), o += aklen;
	memcpy(env + o, "\nMINIO_ROOT_PASSWORD=", 21), o += 21;
	memcpy(env + o, sk, sklen), o += sklen;
	env[o++] = '\n';
	snprintf(d->envpath, sizeof d->envpath, "/home/%s/.minio.env", act_answer(a, "minio.admin_user"));
	act_progress(a, "writing /etc/default/minio (keys over SFTP, mode 0600)");
	int rc = vmssh_put(&d->ssh, d->envpath, env, o, 0600, server_after_env);
	secmem_free(env);
	if (rc != 0)
		server_end(a, 0, "ssh: cannot start the SFTP write", -1, NULL);
}

static void server_ready(struct act *a)
{
	struct server_data *d = act_data(a);
	if (vmssh_script(&d->ssh, NULL, server_prepare, server_after_prepare) != 0)
		server_end(a, 0, "ssh: cannot run the service script", -1, NULL);
}

/* A sealed key made of n letters and digits, unless the vault has it. 0, or -1 (failed). */
static int server_key(struct act *a, const char *name, size_t n)
{
	const unsigned char *v;
	size_t len;
	char err[512];
	if (act_secret_get(a, name, &v, &len) == 0)
		return 0;
	char *k = vm_random_alnum(n);
	int rc = k ? act_secret_put(a, name, VAULT_KIND_ACCESS_KEY, k, n, err, sizeof err) : -1;
	secmem_free(k);
	if (rc != 0)
		act_fail(a, "sealing %s: %s", name, k ? err : "out of memory");
	return rc;
}

static void server_start(struct act *a)
{
	struct server_data *d = act_data(a);
	if (server_key(a, MINIO_ACCESS, 20) != 0 || server_key(a, MINIO_SECRET, 40) != 0)
		return;
	vmssh_open(a, &d->ssh, &spec, server_ready);
}

/* ---- proof ---- */

struct prove_data {
	struct vmssh ssh;
	struct s3 *s3;
	int fd;                /* the TCP connect to the public IP, or -1 */
	unsigned timer_armed;
	int stage;
	char endpoint[128];
	char body[96];
};

static void prove_close_fd(struct act *a)
{
	struct prove_data *d = act_data(a);
	if (d->fd >= 0) {
		loop_unwatch(act_loop(a), d->fd);
		close(d->fd);
	}
	d->fd = -1;
}

static void prove_stop(struct act *a)
{
	struct prove_data *d = act_data(a);
	prove_close_fd(a);
	vmssh_close(&d->ssh);
	s3_free(d->s3);
	d->s3 = NULL;
}

/* what: the failure's text before x. */
static void prove_fail(struct act *a, const char *what, const char *x)
{
	prove_stop(a);
	act_fail(a, "%s%s", what, x);
}

static void prove_s3(const struct s3_result *r, void *arg);

static void prove_next(struct act *a)
{
	struct prove_data *d = act_data(a);
	const char *b = act_answer(a, "minio.bucket");
	switch (d->stage++) {
	case 0: s3_list_buckets(d->s3, prove_s3, a); break;
	case 1: act_progress(a, "ListBuckets works with the sealed keys"); s3_create_bucket(d->s3, b, prove_s3, a); break;
	case 2: s3_put_object(d->s3, b, MINIO_PROBE_KEY, d->body, strlen(d->body), prove_s3, a); break;
	case 3: s3_get_object(d->s3, b, MINIO_PROBE_KEY, d->body, strlen(d->body), prove_s3, a); break;
	case 4: s3_delete_object(d->s3, b, MINIO_PROBE_KEY, prove_s3, a); break;
	default: {
		char url[160];
		snprintf(url, sizeof url, "http://%s:%s", act_output(a, spec.out_ip), act_answer(a, "minio.port"));
		prove_stop(a);
		if (act_output_set(a, "minio.endpoint", url) != 0) {
			act_fail(a, "cannot save the state");
			return;
		}
		act_info(a, "Minio works: %s, bucket %s (keys <sealed:%s>, <sealed:%s>)", url, b, MINIO_ACCESS, MINIO_SECRET);
		act_done(a, "S3 list, bucket, put/get/delete ok");
	}
	}
}

static void prove_s3(const struct s3_result *r, void *arg)
{
	struct act *a = arg;
	if (!r->ok) {
		prove_fail(a, "S3 through the SSH tunnel with the sealed keys: ", r->error);
		return;
	}
	prove_next(a);
}

static void prove_ready(struct act *a)
{
	struct prove_data *d = act_data(a);
	const unsigned char *ak, *sk;
	size_t aklen, sklen;
	char err[256];
	int port = vmssh_forward(&d->ssh, atoi(act_answer(a, "minio.port")), err, sizeof err);
	if (port < 0) {
		prove_fail(a, "ssh forward to the S3 port: ", err);
		return;
	}
	if (act_secret_get(a, MINIO_ACCESS, &ak, &aklen) != 0 || act_secret_get(a, MINIO_SECRET, &sk, &sklen) != 0) {
		prove_fail(a, "the vault lost the MinIO keys", "");
		return;
	}
	char *akz = secmem_alloc(aklen + 1), *skz = secmem_alloc(sklen + 1);
	if (akz && skz) {
		memcpy(akz, ak, aklen), akz[aklen] = '\0';
		memcpy(skz, sk, sklen), skz[sklen] = '\0';
		snprintf(d->endpoint, sizeof d->endpoint, "http://127.0.0.1:%d", port);
		d->s3 = s3_new(act_http(a), d->endpoint, NULL, akz, skz);
	}
	secmem_free(akz);
	secmem_free(skz);
	if (!d->s3) {
		prove_fail(a, "out of memory", "");
		return;
	}
	snprintf(d->body, sizeof d->body, "studio-wizard probe %lld\n", loop_now_ms());
	d->stage = 0;
	prove_next(a);
}

static void prove_on_connect(int fd, short revents, void *arg)
{
	(void)revents;
	struct act *a = arg;
	struct prove_data *d = act_data(a);
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	prove_close_fd(a);
	if (soerr) {
		char msg[256];
		char advice[256];
		probe_connect_advice(soerr, "minio.allowed_sources", advice, sizeof advice);
		snprintf(msg, sizeof msg, "%s:%s: %s; %s", act_output(a, spec.out_ip), act_answer(a, "minio.port"),
		         strerror(soerr), advice);
		prove_fail(a, "the S3 port does not answer from here: ", msg);
		return;
	}
	act_progress(a, "%s:%s accepts connections from here", act_output(a, spec.out_ip), act_answer(a, "minio.port"));
	vmssh_open(a, &d->ssh, &spec, prove_ready);
}

static void prove_on_timeout(struct act *a)
{
	struct prove_data *d = act_data(a);
	if (d->fd < 0)
		return;
	char msg[320], advice[256];
	probe_connect_advice(ETIMEDOUT, "minio.allowed_sources", advice, sizeof advice);
	snprintf(msg, sizeof msg, "%s; %s", act_output(a, spec.out_ip), advice);
	prove_fail(a, "the S3 port on the public IP did not answer within 10 s: ", msg);
}

static void prove_start(struct act *a)
{
	struct prove_data *d = act_data(a);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(act_answer(a, "minio.port")))};
	d->fd = -1;
	const char *ip;
	if (vmssh_output(a, spec.out_ip, &ip) != 0)
		return;
	if (!ip || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		act_fail(a, "no IPv4 public IP recorded (%s)", spec.out_ip);
		return;
	}
	d->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || (connect(d->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) ||
	    loop_watch(act_loop(a), d->fd, POLLOUT, prove_on_connect, a) != 0 ||
	    act_after(a, MINIO_TCP_TIMEOUT_MS, prove_on_timeout) != 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s", strerror(errno));
		prove_fail(a, "cannot connect to the S3 port on the public IP: ", msg);
	}
}


static const struct action_def actions[] = {
	VM_ACTIONS("minio", "create VM {minio.vm_name} ({minio.vm_size}) with a {minio.data_disk_gb} GiB data disk"),
	{.key = "minio.disk",
	 .text = "over SSH (host key checked): find the data disk at LUN 0, refuse it if it holds a partition table, a "
	         "filesystem or a mount this install did not make; GPT with one partition, ext4 (label miniodata), "
	         "/etc/fstab by UUID with nofail, mounted at /data",
	 .after = {"minio.vm"}, .kind = ACTION_TASK, .expect_s = 10, .start = minio_disk_start, .stop = vmssh_stop,
	 .data_size = sizeof(struct minio_disk_data)},
	{.key = "minio.binary",
	 .text = "on the VM: download the MinIO binary from {minio.binary_url} and install it only if its sha256 is "
	         "{minio.binary_sha256}; if the download fails, ask to upload a local copy over SFTP (same check)",
	 .after = {"minio.vm"}, .kind = ACTION_TASK, .expect_s = 20, .start = minio_binary_start,
	 .stop = minio_binary_stop, .data_size = sizeof(struct minio_binary_data)},
	{.key = "minio.server",
	 .text = "system account minio-user; /etc/default/minio (MINIO_ROOT_USER <sealed:" MINIO_ACCESS ">, "
	         "MINIO_ROOT_PASSWORD <sealed:" MINIO_SECRET "> sent over SFTP, mode 0600; MINIO_VOLUMES=/data/minio); "
	         "a systemd unit minio.service, enabled and started on port {minio.port}",
	 .after = {"minio.disk", "minio.binary"}, .kind = ACTION_TASK, .expect_s = 10, .start = server_start,
	 .stop = vmssh_stop, .data_size = sizeof(struct server_data)},
	{.key = "minio.prove",
	 .text = "prove it from here: TCP connect to <minio.public_ip>:{minio.port}, then through an SSH tunnel "
	         "ListBuckets with the sealed keys, create bucket {minio.bucket}, put/get/delete a probe object",
	 .after = {"minio.server"}, .kind = ACTION_TASK, .expect_s = 5, .start = prove_start, .stop = prove_stop,
	 .data_size = sizeof(struct prove_data)},
};

static const struct plan_secret secrets[] = {
	{"minio-host-key", VAULT_KIND_SSH_KEY, "the Minio VM's SSH host key, pinned before it exists", NULL,
	 "the wizard checks the Minio VM against it: without it every SSH action on that VM stops before connecting"},
	{MINIO_ACCESS, VAULT_KIND_ACCESS_KEY, "MinIO root user (S3 access key)", NULL,
	 "the runner's and the experimenters' S3 login: the overlay step and the experimenters' config need it"},
	{MINIO_SECRET, VAULT_KIND_ACCESS_KEY, "MinIO root password (S3 secret key)", NULL,
	 "the runner's and the experimenters' S3 login: the overlay step and the experimenters' config need it"},
};

static const struct step_output outputs[] = {
	{"minio.public_ip", "public IP"},
	{"minio.endpoint", "S3 endpoint"},
};

static const struct plan_question questions[] = {
	{.key = "minio.resource_group", .label = "Resource group",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "studioml-{uniq_id}", .validate = validate_resource_group,
	 .help = "Shared by default with RabbitMQ and the registry."},
	{.key = "minio.vm_name", .label = "VM name",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "minio", .validate = validate_vm_name,
	 .help = "Also the VM's host name; its IP, NSG, NIC and data disk are named after it."},
	{.key = "minio.vm_size", .label = "VM size",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "Standard_D2s_v3", .validate = validate_vm_size,
	 .help = "D2s_v3 takes premium disks; grow it when many runners pull data at once.",
	 PLAN_CHOICES(plan_vm_choices)},
	{.key = "minio.admin_user", .label = "SSH admin user",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "{rabbitmq.admin_user}", .validate = validate_admin_user,
	 .help = "The Linux account you SSH in as."},
	{.key = "minio.ssh_public_key_file", .label = "Your SSH public key file (optional)",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "{rabbitmq.ssh_public_key_file}", .validate = validate_ssh_public_key_file,
	 .help = "Optional; the same key as RabbitMQ unless you say otherwise.",
	 .optional = 1},
	{.key = "minio.data_disk_gb", .label = "Data disk (GiB)",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "1024", .validate = validate_data_disk_gb,
	 .help = "An empty managed disk, partitioned, formatted ext4 and mounted at /data. "
	         "1024 is Azure's \"1 TB\"."},
	{.key = "minio.bucket", .label = "Bucket",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "studioml-artifacts", .validate = validate_bucket,
	 .help = "Bucket for experiment artifacts, created on the Minio server."},
	{.key = "minio.port", .label = "S3 port",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "9000", .validate = validate_port,
	 .help = "Experimenters and runner pods both reach Minio here."},
	{.key = "minio.allowed_sources", .label = "Allowed sources",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "*", .validate = validate_sources,
	 .help = "Who may reach SSH and the S3 port: * (any address), or IPv4 addresses/CIDR ranges "
	         "separated by commas."},
	{.key = "minio.binary_url", .label = "MinIO binary URL",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = MINIO_URL, .validate = validate_url,
	 .help = "The VM downloads the server from here (the last community release with binaries, "
		MINIO_RELEASE ") and installs it only when its sha256 matches."},
	{.key = "minio.binary_sha256", .label = "MinIO binary sha256",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = MINIO_SHA256, .validate = validate_sha256,
	 .help = "The published sha256 of the binary; a download or upload that differs is refused."},
	{.key = "minio.binary_file", .label = "MinIO binary on this machine (optional)",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "", .validate = validate_binary_file,
	 .help = "Used only when the VM cannot download the binary and you agree to upload it: a "
	         "local copy, checked against the same sha256.",
	 .optional = 1},
	{.key = "decisions.minio_upload", .label = "Upload the MinIO binary",
	 .def_kind = PLAN_DEF_NONE,
	 .help = "yes: when the VM cannot download the MinIO binary, upload minio.binary_file from this "
	         "machine over SFTP (checked against minio.binary_sha256).",
	 PLAN_CHOICES(plan_yes_no),
	 .decision = 1},
};

const struct step_def step_minio = {
	.plan = {.key = "minio", .title = "Minio VM and data disk", .questions = questions,
	         .nquestions = sizeof questions / sizeof questions[0]},
	.actions = actions, .nactions = sizeof actions / sizeof actions[0], .secrets = secrets,
	.nsecrets = sizeof secrets / sizeof secrets[0], .outputs = outputs, .noutputs = sizeof outputs / sizeof outputs[0],
};
