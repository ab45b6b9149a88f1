/*
 * kcli.h: the command lines of wm-kafka-pub and wm-kafka-sub (usage, option
 * list, versions) for cli_init(); kept here so each program stays short.
 */
#ifndef WEBMON_KCLI_H
#define WEBMON_KCLI_H

#include "cli.h"

/* Static; for cli_init() of wm-kafka-pub and wm-kafka-sub. */
extern const struct cli_prog kafka_pub_cli, kafka_sub_cli;

#endif
