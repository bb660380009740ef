/* core/steps/minio_int.h: what the Minio step's files share (not for other steps). */
#ifndef SW_STEPS_MINIO_INT_H
#define SW_STEPS_MINIO_INT_H

#include "core/steps/vmssh.h"

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
