/* The minio step screen: the Minio VM and its data disk: size, bucket, S3 port. Its questions, defaults and rules are the plan's
 * (core/model/plan.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_minio, "minio", STEP_MINIO);
