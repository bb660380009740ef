/* The rabbitmq step screen: the RabbitMQ VM: resource group, name, size, admin user and key, AMQP user and port. Its questions, defaults and rules are the plan's
 * (core/steps/rabbitmq.c); the form is screens/stepform.c. */
#include "screens/screen.h"

STEPFORM_SCREEN(screen_rabbitmq, "rabbitmq");
