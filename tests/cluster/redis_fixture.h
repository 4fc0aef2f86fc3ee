/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A real redis-server for the cluster tests and the benchmark: started on a loopback port
 * derived from the pid (tests run in parallel with other engineers' tests), stopped (SIGKILL,
 * reaped) by the caller. Header-only: tests/cluster and bench/cluster include it.
 */
#ifndef SW_TESTS_REDIS_FIXTURE_H
#define SW_TESTS_REDIS_FIXTURE_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

static const char *
redis_fixture_binary(void)
{
	static const char *const paths[] = {"/usr/bin/redis-server", "/usr/local/bin/redis-server",
					    NULL};

	for (const char *const *p = paths; *p != NULL; p++)
		if (access(*p, X_OK) == 0)
			return *p;
	return NULL;
}

static bool
redis_fixture_port_free(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* A port for this process: 20000 + pid-based offset, the next free one. */
static int
redis_fixture_port(void)
{
	/* below the kernel's ephemeral ports (32768-60999), which other tests' listeners and every
	 * client connection take */
	int port = 20000 + (int)(getpid() % 12000);

	for (int i = 0; i < 200 && !redis_fixture_port_free(port); i++)
		port = 20000 + (port - 20000 + 97) % 12000;
	return port;
}

/* Start redis-server on 127.0.0.1:port (no persistence) and wait until it answers PING;
 * conf: a configuration file to start from (a Sentinel's, with "--sentinel" in extra), or
 * NULL; extra: more arguments, or NULL. Returns its pid, or -1. */
static pid_t
redis_fixture_spawn(int port, const char *conf, const char *const *extra)
{
	const char *bin = redis_fixture_binary();
	const char *argv[32];
	char portstr[16];
	pid_t pid, parent = getpid();
	unsigned n = 0;

	if (bin == NULL)
		return -1;
	snprintf(portstr, sizeof(portstr), "%d", port);
	argv[n++] = bin;
	if (conf != NULL)
		argv[n++] = conf;
	for (const char *const *a =
		     (const char *const[]){"--port", portstr, "--bind", "127.0.0.1", "--save", "",
					   "--appendonly", "no", "--daemonize", "no",
					   "--protected-mode", "no", "--dir", "/tmp", NULL};
	     *a != NULL; a++)
		argv[n++] = *a;
	for (; extra != NULL && *extra != NULL && n < 31; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		/* Never outlive the test, even when it crashes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the parent died before the prctl */
			_exit(127);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
		redisContext *r = redisConnectWithTimeout("127.0.0.1", port, tv);
		redisReply *rep = r != NULL && !r->err ? redisCommand(r, "PING") : NULL;
		bool ok = rep != NULL && rep->type == REDIS_REPLY_STATUS;

		if (rep != NULL)
			freeReplyObject(rep);
		if (r != NULL)
			redisFree(r);
		if (ok)
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static pid_t
redis_fixture_start(int port)
{
	return redis_fixture_spawn(port, NULL, NULL);
}

static void
redis_fixture_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

#endif /* SW_TESTS_REDIS_FIXTURE_H */
