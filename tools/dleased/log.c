// SPDX-License-Identifier: GPL-2.0
/*
 * Logging to stderr with levels. Under systemd, stderr is a stream to the
 * journal (JOURNAL_STREAM is set) and "<N>" prefixes carry the priority.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int dld_max_level = LOG_INFO;
static bool dld_journal;

static const char *const dld_level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/**
 * dld_log_init() - choose the output format and the level filter
 * @max_level: least important level printed (LOG_ERR..LOG_DEBUG)
 */
void dld_log_init(int max_level)
{
	dld_max_level = max_level;
	dld_journal = getenv("JOURNAL_STREAM") != NULL;
}

/**
 * dld_log_level_parse() - level number of a name such as "info"
 * @name: level name as in syslog(3) without the LOG_ prefix, lower case
 *
 * Return: the level, or -1 for an unknown name.
 */
int dld_log_level_parse(const char *name)
{
	int i;

	for (i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (!strcmp(name, dld_level_names[i]))
			return i;
	return -1;
}

/**
 * dld_log() - print one log line if @level passes the filter
 * @level: LOG_ERR..LOG_DEBUG
 * @fmt: printf format, without a trailing newline
 */
void dld_log(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > dld_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (dld_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "dleased: %s: %s\n", dld_level_names[level],
			line);
}
