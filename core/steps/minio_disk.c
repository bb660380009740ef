/* The Minio VM's data disk and the MinIO binary, over SSH. Both scripts look before they
 * write, so running them again (after a crash) is harmless: the disk is refused when it
 * holds a partition table, a filesystem signature or a mount that this install did not make
 * (the partition's GUID and the filesystem's UUID are chosen and recorded in the state
 * before they are written), and the binary is installed only when its sha256 matches. */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/validate.h"
#include "core/steps/minio_int.h"

#define MINIO_BINARY_MAX (512L * 1024 * 1024)

/* ---- the disk ---- */

static void minio_uuid(char out[37])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	         b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* $P, $F: the partition's GUID and the filesystem's UUID, chosen before anything is written. */
static const char disk_script[] =
	/* A run killed here leaves its script going on the VM for a while: one at a time. */
	"exec 9>/run/studio-wizard-minio-disk.lock\n"
	"if ! flock -n 9; then\n"
	"  echo 'an earlier run of this step is still preparing the disk on the VM: waiting for it'\n"
	"  flock -w 120 9 || { echo 'it did not end within 2 minutes'; exit 1; }\n"
	"fi\n"
	"dev=''; lun=''\n"
	"for l in /dev/disk/azure/scsi1/lun0 /dev/disk/azure/data/by-lun/0; do\n"
	"  if [ -e \"$l\" ]; then dev=$(readlink -f \"$l\"); lun=$l; break; fi\n"
	"done\n"
	"if [ -z \"$dev\" ]; then echo 'no data disk at LUN 0 (/dev/disk/azure/scsi1/lun0 or "
	"/dev/disk/azure/data/by-lun/0)'; exit 3; fi\n"
	"udevadm settle 2>/dev/null || true\n"
	"echo \"data disk at LUN 0: $dev ($(lsblk -dno SIZE \"$dev\" | tr -d ' '))\"\n"
	"parts() { lsblk -lnpo NAME,TYPE \"$dev\" | awk '$2==\"part\"{print $1}'; }\n"
	"np=$(parts | grep -c . || true)\n"
	"pt=$(blkid -p -s PTTYPE -o value \"$dev\" 2>/dev/null || true)\n"
	"fs=$(blkid -p -s TYPE -o value \"$dev\" 2>/dev/null || true)\n"
	"mnt=$(for d in \"$dev\" $(parts); do findmnt -rno TARGET -S \"$d\" 2>/dev/null; done | tr '\\n' ' ')\n"
	"sig=$(wipefs -n -i \"$dev\" 2>/dev/null | tr '\\n' ';' || true)\n"
	"if [ -z \"$pt$fs$sig\" ] && [ \"$np\" = 0 ] && [ -z \"$(echo $mnt)\" ]; then\n"
	"  echo \"partitioning $dev: GPT, one Linux partition (GUID $P)\"\n"
	"  sgdisk -n 1:0:0 -t 1:8300 -c 1:minio-data -u \"1:$P\" \"$dev\" >/dev/null\n"
	"  udevadm settle 2>/dev/null || true\n"
	"  partprobe \"$dev\" 2>/dev/null || true\n"
	"else\n"
	"  g=''\n"
	"  if [ \"$pt\" = gpt ] && [ \"$np\" = 1 ] && [ -z \"$(echo $mnt | sed 's#/data##')\" ]; then\n"
	"    g=$(sgdisk -i 1 \"$dev\" 2>/dev/null | sed -n 's/^Partition unique GUID: //p' | tr 'A-F' 'a-f')\n"
	"  fi\n"
	"  if [ \"$g\" != \"$P\" ]; then\n"
	"    echo \"REFUSED: $dev holds data this install did not put there (partition table: ${pt:-none}; "
	"filesystem: ${fs:-none}; partitions: $np; mounted: ${mnt:-no}; signatures: ${sig:-none}). Nothing was "
	"written. Attach an empty disk at LUN 0, or wipe this one yourself if its data can go.\"\n"
	"    exit 3\n"
	"  fi\n"
	"  echo \"the partition (GUID $P) is the one this install made\"\n"
	"fi\n"
	/* udev makes the partition's node a moment after the table changes, and after a run
	 * killed mid-way the node can exist while the kernel has not (re)read the table (opening
	 * it gives ENXIO): wait until it opens, asking the kernel again, bounded. */
	"usable() { [ -n \"$1\" ] && [ -e \"$1\" ] && blockdev --getsize64 \"$1\" >/dev/null 2>&1; }\n"
	"part=''\n"
	"for i in $(seq 50); do\n"
	"  if usable \"$lun-part1\"; then part=\"$lun-part1\"; break; fi\n"
	"  p1=$(parts | head -n 1)\n"
	"  if usable \"$p1\"; then part=$p1; break; fi\n"
	"  udevadm settle 2>/dev/null || true; partprobe \"$dev\" 2>/dev/null || partx -u \"$dev\" 2>/dev/null || true\n"
	"  sleep 0.2\n"
	"done\n"
	"[ -n \"$part\" ] || { echo \"the partition of $dev did not appear\"; exit 1; }\n"
	"pfs=$(blkid -p -s UUID -o value \"$part\" 2>/dev/null || true)\n"
	"psig=$(wipefs -n -i \"$part\" 2>/dev/null || true)\n"
	"if [ -z \"$pfs$psig\" ]; then\n"
	"  echo \"making an ext4 filesystem (label miniodata, UUID $F) on $part\"\n"
	"  mkfs.ext4 -q -L miniodata -U \"$F\" \"$part\"\n"
	"elif [ \"$pfs\" = \"$F\" ]; then\n"
	"  echo \"the filesystem $F is the one this install made\"\n"
	"else\n"
	"  echo \"REFUSED: $part holds another filesystem (UUID ${pfs:-unknown}); nothing was written\"; exit 3\n"
	"fi\n"
	"mkdir -p /data\n"
	"if ! grep -q \"^UUID=$F \" /etc/fstab; then\n"
	"  echo \"UUID=$F /data ext4 defaults,nofail 0 2\" >>/etc/fstab; echo 'added /data to /etc/fstab (by UUID, nofail)'\n"
	"fi\n"
	"findmnt -rno TARGET /data >/dev/null 2>&1 || mount /data\n"
	"src=$(findmnt -rno SOURCE /data)\n"
	"[ \"$(blkid -p -s UUID -o value \"$src\" 2>/dev/null)\" = \"$F\" ] || { echo \"/data is not our filesystem ($src)\"; exit 1; }\n"
	"echo \"@size=$(df -h --output=size /data | tail -n 1 | tr -d ' ')\"\n";

static void disk_done(struct act *a, int status, const char *err)
{
	struct minio_disk_data *d = act_data(a);
	char size[64];
	snprintf(size, sizeof size, "%s", vmssh_mark(&d->ssh, "size") ? vmssh_mark(&d->ssh, "size") : "?");
	vmssh_close(&d->ssh);
	if (status == 3)
		act_fail(a, "the data disk of %s was refused: %s", act_answer(a, "minio.vm_name"), err ? err : "");
	else if (status != 0)
		act_fail(a, "preparing the data disk failed (exit %d): %s", status, err ? err : "");
	else
		act_done(a, "/data mounted (ext4 %s, %s)", d->fsuuid, size);
}

static void disk_ready(struct act *a)
{
	struct minio_disk_data *d = act_data(a);
	const char *kv[] = {"P", d->partuuid, "F", d->fsuuid, NULL};
	if (vmssh_script(&d->ssh, kv, disk_script, disk_done) != 0) {
		vmssh_close(&d->ssh);
		act_fail(a, "ssh: cannot run the disk script");
	}
}

void minio_disk_start(struct act *a)
{
	struct minio_disk_data *d = act_data(a);
	char id[37];
	/* Chosen and saved before anything is written, so a resumed run knows its own partition;
	 * one read back from the state must be a UUID before it goes near the disk script. */
	const char *outs[] = {MINIO_OUT_PARTUUID, MINIO_OUT_FSUUID}, *v;
	char *dst[] = {d->partuuid, d->fsuuid};
	for (size_t i = 0; i < 2; i++) {
		if (vmssh_output(a, outs[i], &v) != 0)
			return;
		if (!v) {
			minio_uuid(id);
			if (act_output_set(a, outs[i], id) != 0) {
				act_fail(a, "cannot save the state");
				return;
			}
			v = id;
		}
		snprintf(dst[i], 37, "%s", v);
	}
	vmssh_open(a, &d->ssh, &minio_spec, disk_ready);
}

/* ---- the binary ---- */

/* $WANT: the sha256; $SRC: the URL to download, or the uploaded file's path. */
static const char binary_head[] =
	"if [ -x /usr/local/bin/minio ] && [ \"$(sha256sum /usr/local/bin/minio | cut -d' ' -f1)\" = \"$WANT\" ]; then\n"
	"  echo 'the MinIO binary is installed already (sha256 matches)'; echo '@binary=installed'; exit 0\n"
	"fi\n";
/* A directory of root's own (mktemp -d: 0700, a new random name), removed on every exit: no
 * other user of the VM can plant, swap or read the file between the check and the install.
 * curl -g: the URL is used as it is (no {} [] globbing). */
static const char binary_download[] =
	"dir=$(mktemp -d /var/tmp/studio-wizard-minio.XXXXXXXX)\n"
	"trap 'rm -rf \"$dir\"' EXIT\n"
	"tmp=$dir/minio\n"
	"command -v curl >/dev/null || " VMSSH_APT_GET " install -y -q curl\n"
	"echo \"downloading $SRC\"\n"
	"code=$(curl -sS -L -g --proto '=http,https' --connect-timeout 20 -o \"$tmp\" -w '%{http_code}' -- \"$SRC\" "
	"2>\"$dir/curl.err\") || code=${code:-000}\n"
	"if [ \"$code\" != 200 ]; then\n"
	"  echo \"@http=$code\"; echo \"the download failed: HTTP $code $(head -c 300 \"$dir/curl.err\" | tr '\\n' ' ')\"\n"
	"  exit 4\n"
	"fi\n";
/* The upload went over SFTP to the admin user's home (mode 0600): copied into root's own
 * directory before it is checked, so what is checked is what is installed. */
static const char binary_upload[] =
	"dir=$(mktemp -d /var/tmp/studio-wizard-minio.XXXXXXXX)\n"
	"trap 'rm -rf \"$dir\" \"$SRC\"' EXIT\n"
	"tmp=$dir/minio\n"
	"cp -- \"$SRC\" \"$tmp\"\n";
static const char binary_tail[] =
	"got=$(sha256sum \"$tmp\" | cut -d' ' -f1)\n"
	"if [ \"$got\" != \"$WANT\" ]; then\n"
	"  echo \"sha256 mismatch: the file has $got, minio.binary_sha256 says $WANT; nothing was installed\"\n"
	"  exit 5\n"
	"fi\n"
	"install -m 0755 -o root -g root \"$tmp\" /usr/local/bin/minio\n"
	"echo \"installed /usr/local/bin/minio (sha256 $got)\"; echo '@binary=installed'\n";

static int binary_run(struct act *a, int upload, void (*done)(struct act *a, int status, const char *err))
{
	struct minio_binary_data *d = act_data(a);
	char src[512];
	if (upload)
		snprintf(src, sizeof src, "/home/%s/.minio.upload", act_answer(a, "minio.admin_user"));
	else
		snprintf(src, sizeof src, "%s", act_answer(a, "minio.binary_url"));
	snprintf(d->script, sizeof d->script, "%s%s%s", binary_head, upload ? binary_upload : binary_download,
	         binary_tail);
	const char *kv[] = {"WANT", act_answer(a, "minio.binary_sha256"), "SRC", src, NULL};
	return vmssh_script(&d->ssh, kv, d->script, done);
}

void minio_binary_stop(struct act *a)
{
	struct minio_binary_data *d = act_data(a);
	vmssh_close(&d->ssh);
	free(d->file);
	d->file = NULL;
}

static void binary_end(struct act *a, int ok, const char *msg)
{
	minio_binary_stop(a);
	if (ok)
		act_done(a, "%s", msg);
	else
		act_fail(a, "%s", msg);
}

static void binary_after_upload_check(struct act *a, int status, const char *err)
{
	char msg[768];
	if (status == 0)
		binary_end(a, 1, "uploaded from this machine, sha256 checked, installed");
	else {
		snprintf(msg, sizeof msg, "the uploaded MinIO binary was refused (exit %d): %s", status, err ? err : "");
		binary_end(a, 0, msg);
	}
}

static void binary_after_put(struct act *a, int status, const char *err)
{
	struct minio_binary_data *d = act_data(a);
	char msg[768];
	free(d->file);
	d->file = NULL;
	if (status != 0) {
		snprintf(msg, sizeof msg, "uploading the MinIO binary over SFTP failed: %s", err ? err : "");
		binary_end(a, 0, msg);
		return;
	}
	act_progress(a, "uploaded; checking its sha256 on the VM");
	if (binary_run(a, 1, binary_after_upload_check) != 0)
		binary_end(a, 0, "ssh: cannot run the install script");
}

static void binary_on_decision(struct act *a, const char *value)
{
	struct minio_binary_data *d = act_data(a);
	char path[PATH_MAX], msg[PATH_MAX + 128], dst[256];
	const char *file = act_answer(a, "minio.binary_file");
	if (strcmp(value, "yes") != 0) {
		binary_end(a, 0, act_headless(a) ? "the VM cannot download the MinIO binary and no upload was wanted "
		                                   "(decisions.minio_upload: no); give a reachable minio.binary_url"
		                                 : "the VM cannot download the MinIO binary and you chose not to upload it; "
		                                   "give a reachable \"MinIO binary URL\" on the Minio screen");
		return;
	}
	if (!file || !*file || validate_expand_home(file, path, sizeof path) != 0) {
		binary_end(a, 0, act_headless(a) ? "decisions.minio_upload is yes but minio.binary_file names no file: give "
		                                   "the path of a local copy of the MinIO binary"
		                                 : "an upload was chosen but \"MinIO binary on this machine\" is empty on "
		                                   "the Minio screen: give the path of a local copy");
		return;
	}
	FILE *f = fopen(path, "rb");
	d->file = malloc(MINIO_BINARY_MAX);
	d->file_len = f && d->file ? fread(d->file, 1, MINIO_BINARY_MAX, f) : 0;
	int bad = !f || !d->file || ferror(f);
	if (f)
		fclose(f);
	if (bad || d->file_len == 0) {
		snprintf(msg, sizeof msg, "minio.binary_file: cannot read %s (%s)", path, errno ? strerror(errno) : "empty");
		binary_end(a, 0, msg);
		return;
	}
	snprintf(dst, sizeof dst, "/home/%s/.minio.upload", act_answer(a, "minio.admin_user"));
	act_progress(a, "uploading %s (%zu bytes) over SFTP", path, d->file_len);
	if (vmssh_put(&d->ssh, dst, d->file, d->file_len, 0600, binary_after_put) != 0)
		binary_end(a, 0, "ssh: cannot start the SFTP upload");
}

/* The path the operator gave (checked by minio.binary_file's rule, now its answer): upload it. */
static void binary_on_path(struct act *a, const char *value)
{
	(void)value;
	binary_on_decision(a, "yes");
}

static const struct plan_choice upload_choices[] = {
	{"yes", "upload minio.binary_file from this machine over SFTP (same sha256 check)", 1},
	{"no", "stop here", 1},
};

static void binary_after_download(struct act *a, int status, const char *err)
{
	struct minio_binary_data *d = act_data(a);
	char msg[768];
	if (status == 0) {
		binary_end(a, 1, "downloaded on the VM, sha256 checked, installed");
		return;
	}
	if (status != 4) {
		snprintf(msg, sizeof msg, "installing the MinIO binary failed (exit %d): %s", status, err ? err : "");
		binary_end(a, 0, msg);
		return;
	}
	const char *http = vmssh_mark(&d->ssh, "http");
	act_warn(a, "the download of the MinIO binary failed: %s", err ? err : "");
	const char *decided = act_answer(a, "decisions.minio_upload"), *file = act_answer(a, "minio.binary_file");
	if ((!file || !*file) && !(decided && strcmp(decided, "no") == 0)) {
		/* No local copy named yet: the question asks for its path (checked when given), as
		 * "yes" alone would only fail for want of a file. */
		d->q = (struct engine_question){.id = "minio-binary-file", .answer = "minio.binary_file",
		                                .headless = "minio.binary_file: PATH and decisions.minio_upload: yes|no"};
		snprintf(d->q.text, sizeof d->q.text,
		         "The Minio VM cannot download the MinIO binary from %s (%s%s). MinIO stopped publishing community "
		         "binaries (dl.min.io answers 410 Gone). Give the path of a copy on this machine: it is uploaded "
		         "over SFTP and checked against sha256 %s before it is installed.",
		         act_answer(a, "minio.binary_url"), http && strcmp(http, "000") != 0 ? "HTTP " : "no route or no answer",
		         http && strcmp(http, "000") != 0 ? http : "", act_answer(a, "minio.binary_sha256"));
		act_ask(a, &d->q, binary_on_path);
		return;
	}
	d->q = (struct engine_question){.id = "minio-upload", .answer = "decisions.minio_upload", .choices = upload_choices,
	                                .nchoices = 2};
	snprintf(d->q.text, sizeof d->q.text,
	         "The Minio VM cannot download the MinIO binary from %s (%s%s). MinIO stopped publishing community "
	         "binaries (dl.min.io answers 410 Gone). Upload %s from this machine over SFTP instead? It is checked "
	         "against sha256 %s before it is installed.",
	         act_answer(a, "minio.binary_url"), http && strcmp(http, "000") != 0 ? "HTTP " : "no route or no answer",
	         http && strcmp(http, "000") != 0 ? http : "",
	         file, act_answer(a, "minio.binary_sha256"));
	act_ask(a, &d->q, binary_on_decision);
}

static void binary_ready(struct act *a)
{
	if (binary_run(a, 0, binary_after_download) != 0)
		binary_end(a, 0, "ssh: cannot run the install script");
}

void minio_binary_start(struct act *a)
{
	struct minio_binary_data *d = act_data(a);
	vmssh_open(a, &d->ssh, &minio_spec, binary_ready);
}
