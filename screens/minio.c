/* The minio step screen: the Minio VM and its data disk: size, bucket, S3 port. Its questions, defaults and rules are the plan's
 * (core/steps/minio.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_minio, "minio");
