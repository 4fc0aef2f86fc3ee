/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-control's log: one call, syslog priorities (RFC 5424 6.2.1), three sinks.
 *
 *   stderr   "sigwall-control[INSTANCE]: message" (foreground, tests)
 *   journal  stderr with the sd-daemon "<N>" priority prefix (systemd sets JOURNAL_STREAM)
 *   syslog   syslog(3), facility daemon (a daemonised control without a journal)
 *
 * Messages above the level (--log-level) are not written. sw_notify() speaks systemd's
 * notification protocol (sd_notify(3): one datagram of "KEY=VALUE\n" lines to $NOTIFY_SOCKET)
 * for Type=notify units; without $NOTIFY_SOCKET it does nothing.
 */
#ifndef SW_CONTROL_DAEMON_LOG_H
#define SW_CONTROL_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum sw_log_sink {
	SW_LOG_AUTO,    /* journal if $JOURNAL_STREAM, else stderr */
	SW_LOG_STDERR,
	SW_LOG_JOURNAL,
	SW_LOG_SYSLOG,
};

/* ident: program name; instance: shown in every stderr line and as syslog's ident suffix. */
void sw_log_init(const char *ident, const char *instance, enum sw_log_sink sink, int level);
/* Switch to syslog(3) after daemonising when the sink was AUTO and stderr is gone. */
void sw_log_daemonised(void);
/* "err", "warning", "notice", "info", "debug" (or 3..7) -> LOG_*; -1 if unknown. */
int sw_log_level_parse(const char *s);
/* "auto", "stderr", "journal", "syslog" -> sink; -1 if unknown. */
int sw_log_sink_parse(const char *s);
void sw_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Messages written per priority since start (metrics). */
unsigned long long sw_log_count(int prio);

/* sd_notify: 0 sent, 1 no $NOTIFY_SOCKET, -errno on failure. */
int sw_notify(const char *state);

#endif /* SW_CONTROL_DAEMON_LOG_H */
