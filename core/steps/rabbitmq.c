/* Step 2, RabbitMQ: an Ubuntu LTS VM (Bitnami's image is gone) with Ubuntu's rabbitmq-server
 * and its management plugin, one user with a generated password (letters and digits, as the
 * runner's AMQP_URL handling needs) and the management tag, guest removed; proven from this
 * machine: the AMQP port answers on the public IP, and the user logs in over AMQP and on the
 * management API through an SSH tunnel (the password never crosses the internet in clear). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe/amqp.h"
#include "core/probe/connect.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"
#include "core/steps/vm.h"
#include "core/steps/vmssh.h"
#include "secrets/secmem.h"

#define RMQ_PASSWORD "rabbitmq-password"
#define RMQ_PASSWORD_LEN 32
#define RMQ_WHOAMI_FOR_MS 60000L
#define RMQ_WHOAMI_EVERY_MS 1000L

static const struct vm_spec spec = {
	.key = "rabbitmq", .q_group = "rabbitmq.resource_group", .q_name = "rabbitmq.vm_name",
	.q_size = "rabbitmq.vm_size", .q_admin = "rabbitmq.admin_user", .q_ssh_key = "rabbitmq.ssh_public_key_file",
	.q_sources = "rabbitmq.allowed_sources", .host_key_secret = "rabbitmq-host-key",
	.out_ip = "rabbitmq.public_ip", .out_image = "rabbitmq.image",
	.ports = {{"allow-ssh", NULL, 22}, {"allow-amqp", "rabbitmq.amqp_port", 0}, {"allow-management", "rabbitmq.amqp_port", 10000}},
	.nports = 3,
};

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

/* ---- install: rabbitmq-server and the management plugin ---- */

struct install_data {
	struct vmssh ssh;   /* first: vmssh_stop */
};

static const char install_script[] =
	"echo 'waiting for cloud-init to finish'\n"
	"cloud-init status --wait >/dev/null 2>&1 || echo 'cloud-init reported an error; going on'\n"
	"if dpkg-query -W -f='${Status}' rabbitmq-server 2>/dev/null | grep -q 'install ok installed'; then\n"
	"  echo 'rabbitmq-server is installed already'\n"
	"else\n"
	"  echo \"installing rabbitmq-server from Ubuntu's archive\"\n"
	/* update does not wait for the lists lock (DPkg::Lock::Timeout covers dpkg's lock only, apt
	 * 2.6), which apt-daily holds at first boot: tried again every 10 s, 90 times at most. */
	"  n=0\n"
	"  until " VMSSH_APT_GET " update -q; do\n"
	"    n=$((n + 1)); [ $n -lt 90 ] || exit 1\n"
	"    echo '" VMSSH_APT_WAITING "apt-get update could not lock /var/lib/apt/lists; again in 10 s'; sleep 10\n"
	"  done\n"
	"fi\n"
	/* Every time: a no-op once installed, and it waits for dpkg's lock as a first install must. */
	VMSSH_APT_GET " install -y -q rabbitmq-server\n"
	"systemctl enable rabbitmq-server >/dev/null 2>&1 || true\n"
	"systemctl is-active -q rabbitmq-server || systemctl start rabbitmq-server\n"
	"rabbitmqctl -q await_startup >/dev/null 2>&1 || true\n"
	/* Each rabbitmq CLI call starts an Erlang VM (about a second of CPU): as few as can be.
	 * enable is idempotent and, with --online, succeeds only when the running node took it. */
	"if ! rabbitmq-plugins -q enable --online rabbitmq_management; then\n"
	"  echo 'the node did not take the management plugin online: restarting rabbitmq-server'\n"
	"  rabbitmq-plugins -q enable --offline rabbitmq_management\n"
	"  systemctl restart rabbitmq-server\n"
	"  rabbitmqctl -q await_startup >/dev/null 2>&1 || true\n"
	"  rabbitmq-plugins -q is_enabled rabbitmq_management --online ||\n"
	"    { echo 'the management plugin does not run'; exit 1; }\n"
	"fi\n"
	"systemctl is-active -q rabbitmq-server\n"
	"echo \"@version=$(dpkg-query -W -f='${Version}' rabbitmq-server)\"\n";

static void install_done(struct act *a, int status, const char *err)
{
	struct install_data *d = act_data(a);
	char version[128];
	snprintf(version, sizeof version, "%s", vmssh_mark(&d->ssh, "version") ? vmssh_mark(&d->ssh, "version") : "?");
	vmssh_close(&d->ssh);
	if (status != 0)
		act_fail(a, "installing rabbitmq-server on %s failed (exit %d): %s", act_answer(a, "rabbitmq.vm_name"), status,
		         err ? err : "");
	else
		act_done(a, "rabbitmq-server %s running, management plugin on", version);
}

static void install_ready(struct act *a)
{
	struct install_data *d = act_data(a);
	if (vmssh_script(&d->ssh, NULL, install_script, install_done) != 0) {
		vmssh_close(&d->ssh);
		act_fail(a, "ssh: cannot run the install script");
	}
}

static void install_start(struct act *a)
{
	struct install_data *d = act_data(a);
	vmssh_open(a, &d->ssh, &spec, install_ready);
}

/* ---- the user ---- */

struct user_data {
	struct vmssh ssh;
};

/* Deleting a guest that is gone already is no error (a resumed run). */
static const char guest_script[] =
	"if out=$(rabbitmqctl -q delete_user guest 2>&1); then\n"
	"  echo 'deleted the guest user'\n"
	"elif printf '%s' \"$out\" | grep -q 'does not exist'; then\n"
	"  echo 'the guest user is gone already'\n"
	"else\n"
	"  printf '%s\\n' \"$out\" >&2; exit 1\n"
	"fi\n";

static void user_after_guest(struct act *a, int status, const char *err)
{
	struct user_data *d = act_data(a);
	vmssh_close(&d->ssh);
	if (status != 0) {
		act_fail(a, "deleting the guest user failed: %s", err ? err : "");
		return;
	}
	act_done(a, "user %s (tag management, all permissions on vhost /), guest removed", act_answer(a, "rabbitmq.amqp_user"));
}

static void user_after_import(struct act *a, int status, const char *err)
{
	struct user_data *d = act_data(a);
	if (status != 0) {
		vmssh_close(&d->ssh);
		act_fail(a, "rabbitmqctl import_definitions (user %s) failed: %s", act_answer(a, "rabbitmq.amqp_user"),
		         err ? err : "");
		return;
	}
	if (vmssh_script(&d->ssh, NULL, guest_script, user_after_guest) != 0) {
		vmssh_close(&d->ssh);
		act_fail(a, "ssh: cannot run rabbitmqctl");
	}
}

/* The user as RabbitMQ definitions, in guarded memory (so written by hand, not with cJSON):
 * the password as RabbitMQ's rabbit_password_hashing_sha256 keeps it, base64(salt ||
 * sha256(salt || password)) with a 4-byte salt, so the password itself never reaches the VM.
 * Importing makes the user, or updates one that exists (its password is then the sealed one
 * again), with its tag and permissions in one rabbitmqctl call. The user name is validated
 * (letters, digits, - . _ ~). NULL when out of memory. */
static char *user_definitions(const char *user, const unsigned char *pw, size_t len, size_t *outlen)
{
	unsigned char *raw = secmem_alloc(4 + crypto_hash_sha256_BYTES);
	crypto_hash_sha256_state *h = secmem_alloc(sizeof *h);
	size_t b64len = sodium_base64_ENCODED_LEN(4 + crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL);
	size_t cap = 400 + 2 * strlen(user) + b64len;
	char *b64 = secmem_alloc(b64len), *out = secmem_alloc(cap);
	if (!raw || !h || !b64 || !out) {
		secmem_free(out);
		out = NULL;
		goto done;
	}
	randombytes_buf(raw, 4);
	crypto_hash_sha256_init(h);
	crypto_hash_sha256_update(h, raw, 4);
	crypto_hash_sha256_update(h, pw, len);
	crypto_hash_sha256_final(h, raw + 4);
	sodium_bin2base64(b64, b64len, raw, 4 + crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL);
	int n = snprintf(out, cap,
	                 "{\"users\": [{\"name\": \"%s\", \"password_hash\": \"%s\", "
	                 "\"hashing_algorithm\": \"rabbit_password_hashing_sha256\", \"tags\": \"management\"}],\n"
	                 " \"permissions\": [{\"user\": \"%s\", \"vhost\": \"/\", \"configure\": \".*\", "
	                 "\"write\": \".*\", \"read\": \".*\"}]}\n",
	                 user, b64, user);
	if (n < 0 || (size_t)n >= cap) {
		secmem_free(out);
		out = NULL;
		goto done;
	}
	*outlen = (size_t)n;
done:
	secmem_free(raw);
	secmem_free(h);
	secmem_free(b64);
	return out;
}

static void user_ready(struct act *a)
{
	struct user_data *d = act_data(a);
	const char *u = act_answer(a, "rabbitmq.amqp_user");
	const unsigned char *pw;
	size_t len, deflen = 0;
	if (act_secret_get(a, RMQ_PASSWORD, &pw, &len) != 0) {
		vmssh_close(&d->ssh);
		act_fail(a, "the vault lost %s", RMQ_PASSWORD);
		return;
	}
	char *defs = user_definitions(u, pw, len, &deflen);
	if (!defs) {
		vmssh_close(&d->ssh);
		act_fail(a, "out of memory");
		return;
	}
	act_progress(a, "adding user %s (password <sealed:%s>: only its salted SHA-256 goes, on stdin)", u, RMQ_PASSWORD);
	int rc = vmssh_exec(&d->ssh, "sudo -n rabbitmqctl -q import_definitions --format json", defs, deflen,
	                    user_after_import);
	secmem_free(defs);
	if (rc != 0) {
		vmssh_close(&d->ssh);
		act_fail(a, "ssh: cannot run rabbitmqctl import_definitions");
	}
}

static void user_start(struct act *a)
{
	struct user_data *d = act_data(a);
	const unsigned char *v;
	size_t len;
	char err[512];
	if (act_secret_get(a, RMQ_PASSWORD, &v, &len) != 0) {
		char *pw = vm_random_alnum(RMQ_PASSWORD_LEN);
		int rc = pw ? act_secret_put(a, RMQ_PASSWORD, VAULT_KIND_PASSWORD, pw, RMQ_PASSWORD_LEN, err, sizeof err) : -1;
		secmem_free(pw);
		if (rc != 0) {
			act_fail(a, "sealing %s: %s", RMQ_PASSWORD, pw ? err : "out of memory");
			return;
		}
		act_info(a, "generated the password of %s and sealed it as %s", act_answer(a, "rabbitmq.amqp_user"), RMQ_PASSWORD);
	}
	vmssh_open(a, &d->ssh, &spec, user_ready);
}

/* ---- proof ---- */

struct prove_data {
	struct vmssh ssh;
	struct amqp_probe *probe;
	struct http_request *req;
	int amqp_port, mgmt_port;
	long long deadline;
	char header[160];
};

static void prove_stop(struct act *a)
{
	struct prove_data *d = act_data(a);
	vmssh_close(&d->ssh);
	if (d->probe)
		amqp_probe_cancel(d->probe);
	if (d->req)
		http_client_cancel(act_http(a), d->req);
	d->probe = NULL;
	d->req = NULL;
}

static void prove_whoami(struct act *a);

static void prove_on_whoami(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct act *a = arg;
	struct prove_data *d = act_data(a);
	d->req = NULL;
	if (r->status != 200 && loop_now_ms() < d->deadline && (r->status == 0 || r->status >= 500 || r->status == 404)) {
		act_progress(a, "management API not ready yet (%s); trying again", r->error ? r->error : "HTTP error");
		if (act_after(a, RMQ_WHOAMI_EVERY_MS, prove_whoami) != 0) {
			prove_stop(a);
			act_fail(a, "out of memory");
		}
		return;
	}
	cJSON *j = r->status == 200 ? cJSON_Parse(r->body) : NULL;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
	int ok = cJSON_IsString(name) && strcmp(name->valuestring, act_answer(a, "rabbitmq.amqp_user")) == 0;
	cJSON_Delete(j);
	if (!ok) {
		prove_stop(a);
		act_fail(a, "the management API (GET /api/whoami through the SSH tunnel) answered %ld%s%s", r->status,
		         r->error ? ": " : "", r->error ? r->error : "");
		return;
	}
	const char *ip = act_output(a, spec.out_ip);
	char url[512];
	snprintf(url, sizeof url, "amqp://%s:<sealed:%s>@%s:%s/", act_answer(a, "rabbitmq.amqp_user"), RMQ_PASSWORD, ip,
	         act_answer(a, "rabbitmq.amqp_port"));
	prove_stop(a);
	if (act_output_set(a, "rabbitmq.amqp_url", url) != 0) {
		act_fail(a, "cannot save the state");
		return;
	}
	act_info(a, "RabbitMQ works: %s (%s); management API knows user %s", url, d->header, act_answer(a, "rabbitmq.amqp_user"));
	act_done(a, "AMQP login and management API ok");
}

static void prove_whoami(struct act *a)
{
	struct prove_data *d = act_data(a);
	const unsigned char *pw;
	size_t len;
	char url[128];
	if (act_secret_get(a, RMQ_PASSWORD, &pw, &len) != 0) {
		prove_stop(a);
		act_fail(a, "the vault lost %s", RMQ_PASSWORD);
		return;
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/api/whoami", d->mgmt_port);
	/* Basic auth via curl's own option is not exposed: build the header in protected memory. */
	const char *u = act_answer(a, "rabbitmq.amqp_user");
	size_t ulen = strlen(u), plain = ulen + 1 + len;
	size_t b64 = sodium_base64_ENCODED_LEN(plain, sodium_base64_VARIANT_ORIGINAL);
	char *cred = secmem_alloc(plain + 1), *hdr = secmem_alloc(b64 + 32);
	if (!cred || !hdr) {
		secmem_free(cred);
		secmem_free(hdr);
		prove_stop(a);
		act_fail(a, "out of memory");
		return;
	}
	memcpy(cred, u, ulen);
	cred[ulen] = ':';
	memcpy(cred + ulen + 1, pw, len);
	memcpy(hdr, "Authorization: Basic ", 21);
	sodium_bin2base64(hdr + 21, b64, (const unsigned char *)cred, plain, sodium_base64_VARIANT_ORIGINAL);
	secmem_free(cred);
	const char *headers[] = {hdr, "Accept: application/json", NULL};
	d->req = http_request_new("GET", url, headers, NULL);
	secmem_free(hdr);
	if (!d->req) {
		prove_stop(a);
		act_fail(a, "out of memory");
		return;
	}
	http_client_submit(act_http(a), d->req, prove_on_whoami, a);
}

static void prove_on_login(const struct amqp_probe_result *r, void *arg)
{
	struct act *a = arg;
	struct prove_data *d = act_data(a);
	d->probe = NULL;
	if (!r->ok) {
		prove_stop(a);
		act_fail(a, "AMQP login as %s with <sealed:%s> through the SSH tunnel failed: %s", act_answer(a, "rabbitmq.amqp_user"),
		         RMQ_PASSWORD, r->error);
		return;
	}
	act_progress(a, "AMQP login as %s on vhost / works", act_answer(a, "rabbitmq.amqp_user"));
	char err[256];
	d->mgmt_port = vmssh_forward(&d->ssh, atoi(act_answer(a, "rabbitmq.amqp_port")) + 10000, err, sizeof err);
	if (d->mgmt_port < 0) {
		prove_stop(a);
		act_fail(a, "ssh forward to the management port: %s", err);
		return;
	}
	d->deadline = loop_now_ms() + RMQ_WHOAMI_FOR_MS;
	prove_whoami(a);
}

static void prove_ready(struct act *a)
{
	struct prove_data *d = act_data(a);
	const unsigned char *pw;
	size_t len;
	char err[256];
	d->amqp_port = vmssh_forward(&d->ssh, atoi(act_answer(a, "rabbitmq.amqp_port")), err, sizeof err);
	if (d->amqp_port < 0 || act_secret_get(a, RMQ_PASSWORD, &pw, &len) != 0) {
		prove_stop(a);
		act_fail(a, "ssh forward to the AMQP port: %s", d->amqp_port < 0 ? err : "no password in the vault");
		return;
	}
	struct amqp_probe_opts o = {.host = "127.0.0.1", .port = (unsigned)d->amqp_port, .mode = AMQP_PROBE_LOGIN,
	                            .user = act_answer(a, "rabbitmq.amqp_user"), .password = (const char *)pw,
	                            .password_len = len};
	d->probe = amqp_probe_start(act_loop(a), &o, prove_on_login, a);
	if (!d->probe) {
		prove_stop(a);
		act_fail(a, "out of memory");
	}
}

static void prove_on_header(const struct amqp_probe_result *r, void *arg)
{
	struct act *a = arg;
	struct prove_data *d = act_data(a);
	d->probe = NULL;
	if (!r->ok) {
		char advice[256];
		probe_connect_advice(r->connect_errno, "rabbitmq.allowed_sources", advice, sizeof advice);
		act_fail(a, "%s:%s from here: %s (%s)", act_output(a, spec.out_ip), act_answer(a, "rabbitmq.amqp_port"), r->error,
		         r->connect_errno ? advice : "it answered, but not as RabbitMQ");
		return;
	}
	snprintf(d->header, sizeof d->header, "%s %s", r->product, r->version);
	act_progress(a, "%s:%s answers from here: %s (no credentials sent)", act_output(a, spec.out_ip),
	             act_answer(a, "rabbitmq.amqp_port"), d->header);
	vmssh_open(a, &d->ssh, &spec, prove_ready);
}

static void prove_start(struct act *a)
{
	struct prove_data *d = act_data(a);
	struct amqp_probe_opts o = {.port = (unsigned)atoi(act_answer(a, "rabbitmq.amqp_port")), .mode = AMQP_PROBE_HEADER};
	if (vmssh_output(a, spec.out_ip, &o.host) != 0)
		return;
	if (!o.host) {
		act_fail(a, "no public IP recorded (%s)", spec.out_ip);
		return;
	}
	d->probe = amqp_probe_start(act_loop(a), &o, prove_on_header, a);
	if (!d->probe)
		act_fail(a, "out of memory");
}


static const struct action_def actions[] = {
	VM_ACTIONS("rabbitmq", "create VM {rabbitmq.vm_name} ({rabbitmq.vm_size})"),
	{.key = "rabbitmq.install",
	 .text = "over SSH (host key checked): wait for cloud-init, install rabbitmq-server from Ubuntu's archive if "
	         "missing, enable rabbitmq_management",
	 .after = {"rabbitmq.vm"}, .kind = ACTION_TASK, .expect_s = 90, .start = install_start, .stop = vmssh_stop,
	 .data_size = sizeof(struct install_data)},
	{.key = "rabbitmq.user",
	 .text = "create RabbitMQ user {rabbitmq.amqp_user} with password <sealed:" RMQ_PASSWORD "> (letters and digits; "
	         "only its salted SHA-256 goes to the VM, on stdin), tag management, permissions .* .* .* on vhost /; "
	         "delete guest",
	 .after = {"rabbitmq.install"}, .kind = ACTION_TASK, .expect_s = 10, .start = user_start, .stop = vmssh_stop,
	 .data_size = sizeof(struct user_data)},
	{.key = "rabbitmq.prove",
	 .text = "prove it from here: AMQP header on <rabbitmq.public_ip>:{rabbitmq.amqp_port} (no credentials), then "
	         "through an SSH tunnel an AMQP login as {rabbitmq.amqp_user} and GET /api/whoami on the management API; "
	         "output amqp://{rabbitmq.amqp_user}:<sealed:" RMQ_PASSWORD ">@<rabbitmq.public_ip>:{rabbitmq.amqp_port}/",
	 .after = {"rabbitmq.user"}, .kind = ACTION_TASK, .expect_s = 5, .start = prove_start, .stop = prove_stop,
	 .data_size = sizeof(struct prove_data)},
};

static const struct plan_secret secrets[] = {
	{VM_ADMIN_KEY, VAULT_KIND_SSH_KEY, "the wizard's ed25519 admin key for both VMs (OpenSSH private key)", NULL,
	 "the wizard logs in to both VMs with it: without it neither VM can be provisioned or repaired over SSH, "
	 "and Azure keeps no copy of the private key"},
	{"rabbitmq-host-key", VAULT_KIND_SSH_KEY, "the RabbitMQ VM's SSH host key, pinned before it exists", NULL,
	 "the wizard checks the RabbitMQ VM against it: without it every SSH action on that VM stops before connecting"},
	{RMQ_PASSWORD, VAULT_KIND_PASSWORD, "password of the RabbitMQ user (letters and digits)", NULL,
	 "the runner's queue login: the overlay step and the experimenters' config need it, and RabbitMQ keeps only "
	 "its hash"},
};

static const struct step_output outputs[] = {
	{"rabbitmq.public_ip", "public IP"},
	{"rabbitmq.amqp_url", "AMQP URL"},
};

static const struct plan_question questions[] = {
	{.key = "rabbitmq.resource_group", .label = "Resource group",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "studioml-{uniq_id}", .validate = validate_resource_group,
	 .help = "Shared by default with Minio and the registry, so one deletion removes them."},
	{.key = "rabbitmq.vm_name", .label = "VM name",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "rabbitmq", .validate = validate_vm_name,
	 .help = "Also the VM's host name; its IP, NSG and NIC are named after it."},
	{.key = "rabbitmq.vm_size", .label = "VM size",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "Standard_B2s", .validate = validate_vm_size,
	 .help = "The queue server is light. The guide's A2_v2 boots only Hyper-V generation 1 images; the "
	         "wizard then takes Ubuntu's generation 1 image.",
	 PLAN_CHOICES(plan_vm_choices)},
	{.key = "rabbitmq.admin_user", .label = "SSH admin user",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "azureuser", .validate = validate_admin_user,
	 .help = "The Linux account you SSH in as (Azure refuses names such as admin or root)."},
	{.key = "rabbitmq.ssh_public_key_file", .label = "Your SSH public key file (optional)",
	 .def_kind = PLAN_DEF_SSH_KEY, .validate = validate_ssh_public_key_file,
	 .help = "Optional: your own key, let in beside the wizard's admin key (kept sealed in the vault "
	         "as admin-ssh-key). ssh-ed25519, or ssh-rsa of 2048 bits or more. Empty: only the "
	         "wizard's key.",
	 .optional = 1},
	{.key = "rabbitmq.amqp_user", .label = "RabbitMQ user",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "studioml", .validate = validate_amqp_user,
	 .help = "Runners and experimenters connect as this user; its password is generated "
	         "(letters and digits, as the runner needs) and kept in the vault."},
	{.key = "rabbitmq.amqp_port", .label = "AMQP port",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "5672", .validate = validate_amqp_port,
	 .help = "The runner also calls the management API on this port + 10000 (15672)."},
	{.key = "rabbitmq.allowed_sources", .label = "Allowed sources",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "*", .validate = validate_sources,
	 .help = "Who may reach SSH, AMQP and the management port: * (any address), or IPv4 "
	         "addresses/CIDR ranges separated by commas (your office, the AKS egress IP)."},
};

const struct step_def step_rabbitmq = {
	.plan = {.key = "rabbitmq", .title = "RabbitMQ VM", .questions = questions,
	         .nquestions = sizeof questions / sizeof questions[0]},
	.actions = actions, .nactions = sizeof actions / sizeof actions[0], .secrets = secrets,
	.nsecrets = sizeof secrets / sizeof secrets[0], .outputs = outputs, .noutputs = sizeof outputs / sizeof outputs[0],
};
