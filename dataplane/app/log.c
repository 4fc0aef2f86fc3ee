/* SPDX-License-Identifier: BSD-3-Clause */
/* sigwall-dataplane's log through rte_log (log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Registered by a constructor, so the EAL's --log-level finds it when it parses its options. */
RTE_LOG_REGISTER(sw_logtype, sigwall.dataplane, INFO);

static bool journal;

void
sw_log_init(void)
{
	journal = getenv("JOURNAL_STREAM") != NULL;
	/* rte_eal_init makes stdout + syslog the default stream; our messages belong on stderr
	 * (stdout carries the program's reports), and so do the EAL's from now on. */
	rte_openlog_stream(stderr);
}

void
sw_log(uint32_t level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (!rte_log_can_log((uint32_t)sw_logtype, level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* rte_log levels are syslog priorities + 1. */
	if (journal)
		rte_log(level, (uint32_t)sw_logtype, "<%u>sigwall-dataplane: %s\n", level - 1, line);
	else
		rte_log(level, (uint32_t)sw_logtype, "sigwall-dataplane: %s\n", line);
}
