/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the VM tests of libdlease and dleasectl: time, running
 * dleasectl, waiting for a lease to be taken.
 *
 * Timing bounds are multiplied by DLEASE_TEST_SCALE (an integer from the
 * environment, default 1), like the kernel suite's.  dleasectl is
 * $DLEASECTL, default ./dleasectl (the payload directory).
 */
#ifndef USER_UTIL_H
#define USER_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dlease.h"

#define MS	1000000ULL
#define SEC	1000000000ULL

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern char **environ;

static inline uint64_t scale(void)
{
	const char *s = getenv("DLEASE_TEST_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v > 0 ? (uint64_t)v : 1;
}

static inline const char *dleasectl_path(void)
{
	const char *p = getenv("DLEASECTL");

	return p ? p : "./dleasectl";
}

/*
 * Starts dleasectl with @args (NULL-terminated, without argv[0]); its
 * stdout goes to *@out if @out is not NULL (a pipe), its stdin is
 * /dev/null.  Returns the pid, or -errno.
 */
static inline pid_t ctl_spawn(char *const args[], int *out)
{
	posix_spawn_file_actions_t fa;
	char *argv[32] = { (char *)"dleasectl" };
	int p[2] = { -1, -1 }, i, err;
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	if (out && pipe2(p, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out)
		posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	err = posix_spawn(&pid, dleasectl_path(), &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(p[1]);
		if (err)
			close(p[0]);
		else
			*out = p[0];
	}
	return err ? -err : pid;
}

/* Exit code of @pid, 128 + signal if killed, -1 on error. */
static inline int ctl_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* Runs dleasectl to the end; returns its exit code. */
static inline int ctl_run(char *const args[])
{
	pid_t pid = ctl_spawn(args, NULL);

	return pid < 0 ? -1 : ctl_wait(pid);
}

/* Reads what is left of @fd into @buf (NUL-terminated); closes @fd. */
static inline ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < size &&
	       (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(fd);
	return got;
}

/*
 * Waits up to 5 s (scaled) until someone holds @name, seen from a
 * session of our own.  Returns 0 or -ETIMEDOUT.
 */
static inline int wait_taken(const char *name)
{
	struct dlease_acquire_opts o = { .flags = DLEASE_ACQ_TRY,
					 .ttl_ns = SEC };
	uint64_t end = dlease_now() + 5 * SEC * scale();
	struct dlease_session *s;
	struct dlease_lease *l;
	int err;

	if (dlease_open(0, &s))
		return -ENODEV;
	for (;;) {
		err = dlease_acquire(s, name, &o, &l);
		if (!err)
			dlease_release(l);
		if (err == -EAGAIN || dlease_now() > end)
			break;
		usleep(2000);
	}
	dlease_close(s);
	return err == -EAGAIN ? 0 : -ETIMEDOUT;
}

#endif /* USER_UTIL_H */
