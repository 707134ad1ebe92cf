/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dleased logging: one line per message on stderr, with the level as an
 * sd-daemon "<N>" prefix when stderr is the journal, so journald keeps
 * the priority; "dleased: level: " otherwise, for a terminal.
 */
#ifndef DLEASED_LOG_H
#define DLEASED_LOG_H

#include <syslog.h>

void dld_log_init(int max_level);
int dld_log_level_parse(const char *name);
void dld_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define dld_err(...)	dld_log(LOG_ERR, __VA_ARGS__)
#define dld_warn(...)	dld_log(LOG_WARNING, __VA_ARGS__)
#define dld_notice(...)	dld_log(LOG_NOTICE, __VA_ARGS__)
#define dld_info(...)	dld_log(LOG_INFO, __VA_ARGS__)
#define dld_debug(...)	dld_log(LOG_DEBUG, __VA_ARGS__)

#endif /* DLEASED_LOG_H */
