/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-dataplane's log: every message of the process goes through sw_log(), which is
 * rte_log() with sigwall's own log type "sigwall.dataplane" (registered at start-up, before the
 * EAL parses its options), so `--log-level=sigwall.dataplane:warning` or
 * `--log-level=sigwall.*:debug` select what is printed, as for every DPDK library.
 *
 * Priorities are the syslog ones (RTE_LOG_ERR == 4 is LOG_ERR + 1: rte_log counts from 1).
 * Lines go to stderr, "sigwall-dataplane: " first; when stderr is the journal
 * (systemd sets JOURNAL_STREAM), each line starts with "<N>" so journald records its priority
 * (sd-daemon(3)). Standard output keeps the program's reports (start-up line, final counters).
 */
#ifndef SW_APP_LOG_H
#define SW_APP_LOG_H

#include <rte_log.h>

extern int sw_logtype;

/* After rte_eal_init (which points the log at stdout and syslog): back to stderr. */
void sw_log_init(void);
void sw_log(uint32_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define SW_LOG_ERR(...) sw_log(RTE_LOG_ERR, __VA_ARGS__)
#define SW_LOG_WARNING(...) sw_log(RTE_LOG_WARNING, __VA_ARGS__)
#define SW_LOG_NOTICE(...) sw_log(RTE_LOG_NOTICE, __VA_ARGS__)
#define SW_LOG_INFO(...) sw_log(RTE_LOG_INFO, __VA_ARGS__)
#define SW_LOG_DEBUG(...) sw_log(RTE_LOG_DEBUG, __VA_ARGS__)

#endif /* SW_APP_LOG_H */
