/* SPDX-License-Identifier: BSD-3-Clause */
/* sigwall-control's log and sd_notify (log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static struct {
	const char *ident, *instance;
	enum sw_log_sink sink;
	int level;
	bool syslog_open;
	char syslog_ident[96];
	unsigned long long count[8];
} lg = {"sigwall", "", SW_LOG_STDERR, LOG_INFO, false, "", {0}};

static const char *const level_names[8] = {"emerg", "alert", "crit", "err",
					   "warning", "notice", "info", "debug"};

int
sw_log_level_parse(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "error") == 0)
		return LOG_ERR;
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

int
sw_log_sink_parse(const char *s)
{
	static const char *const names[] = {"auto", "stderr", "journal", "syslog"};

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void
open_syslog(void)
{
	if (lg.syslog_open)
		return;
	snprintf(lg.syslog_ident, sizeof(lg.syslog_ident), "%s[%s]", lg.ident, lg.instance);
	openlog(lg.syslog_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	lg.syslog_open = true;
}

void
sw_log_init(const char *ident, const char *instance, enum sw_log_sink sink, int level)
{
	lg.ident = ident;
	lg.instance = instance;
	lg.level = level;
	if (sink == SW_LOG_AUTO)
		sink = getenv("JOURNAL_STREAM") != NULL ? SW_LOG_JOURNAL : SW_LOG_STDERR;
	lg.sink = sink;
	if (sink == SW_LOG_SYSLOG)
		open_syslog();
}

void
sw_log_daemonised(void)
{
	if (lg.sink == SW_LOG_STDERR && !isatty(2) && getenv("SW_LOG_KEEP_STDERR") == NULL) {
		/* stderr of a daemon is whatever started it; syslog outlives it. */
		lg.sink = SW_LOG_SYSLOG;
		open_syslog();
	}
}

void
sw_log(int prio, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (prio < 0)
		prio = 0;
	if (prio > 7)
		prio = 7;
	lg.count[prio]++;
	if (prio > lg.level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (lg.sink) {
	case SW_LOG_SYSLOG:
		syslog(prio, "%s", msg);
		break;
	case SW_LOG_JOURNAL:
		/* sd-daemon(3): "<N>" at the start of a line sets its priority in the journal. */
		fprintf(stderr, "<%d>%s[%s]: %s\n", prio, lg.ident, lg.instance, msg);
		break;
	default:
		fprintf(stderr, "%s[%s]: %s%s\n", lg.ident, lg.instance,
			prio <= LOG_ERR ? "error: " : prio == LOG_WARNING ? "warning: " : "", msg);
		break;
	}
}

unsigned long long
sw_log_count(int prio)
{
	return prio >= 0 && prio < 8 ? lg.count[prio] : 0;
}

int
sw_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	socklen_t salen;
	int fd, rc = 0;

	if (path == NULL || path[0] == '\0')
		return 1;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
