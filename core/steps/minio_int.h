/* core/steps/minio_int.h: what the Minio step's files share (not for other steps). */
#ifndef SW_STEPS_MINIO_INT_H
#define SW_STEPS_MINIO_INT_H

#include "core/steps/vmssh.h"

/* The last MinIO community release with prebuilt binaries (doc/runner.md, "MinIO binaries"); its published
 * sha256 (110,989,496 bytes). dl.min.io answers 410 for it since 2026-09. */
#define MINIO_RELEASE "RELEASE.2025-09-07T16-13-09Z"
#define MINIO_URL "https://github.com/minio/minio/releases/download/" MINIO_RELEASE "/minio.linux-amd64." MINIO_RELEASE
#define MINIO_SHA256 "7c5bd8512c6e966455b1d198209358b2d191c77a83ab377c4073281065fb855f"

extern const struct vm_spec minio_spec;

#define MINIO_OUT_PARTUUID "minio.data_partuuid"
#define MINIO_OUT_FSUUID "minio.data_fsuuid"

/* minio_disk.c: the data disk found by LUN, refused when it holds anything this install did
 * not make, partitioned (GPT, one partition), ext4, in /etc/fstab by UUID, mounted at /data. */
struct minio_disk_data {
	struct vmssh ssh;
	char partuuid[37], fsuuid[37];   /* checked (core/model/outputs.h) before the script sees them */
};
void minio_disk_start(struct act *a);

/* minio_disk.c: the MinIO binary downloaded on the VM and checked against its sha256, or
 * uploaded from this machine over SFTP when the operator agrees. */
struct minio_binary_data {
	struct vmssh ssh;
	char script[4096];
	struct engine_question q;
	char *file;
	size_t file_len;
};
void minio_binary_start(struct act *a);
void minio_binary_stop(struct act *a);

#endif
