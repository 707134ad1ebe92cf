// SPDX-License-Identifier: GPL-2.0
/*
 * The state file: one line "dleased-state 1 <token_hwm> <incarnation>",
 * replaced atomically (write a temporary file, fsync it, rename it over
 * the old one, fsync the directory) so a crash leaves the old or the new
 * state, never a torn one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "statefile.h"

#define DL_STATE_FMT	"dleased-state 1 %" SCNu64 " %" SCNu64 "\n"

/**
 * dl_state_load() - read the state file
 * @path: file name
 * @st: filled in; zeroed if the file does not exist (first start)
 *
 * Return: 0, -EBADMSG for a corrupt file, or a negative errno from open
 * or read.
 */
int dl_state_load(const char *path, struct dl_state *st)
{
	char buf[128];
	ssize_t n;
	int fd;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	if (sscanf(buf, DL_STATE_FMT, &st->token_hwm, &st->incarnation) != 2)
		return -EBADMSG;
	return 0;
}

static int dl_fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, err = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

static int dl_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * dl_state_save() - durably replace the state file
 * @path: file name
 * @st: state to store
 *
 * Return: 0 or a negative errno; on failure the old file is intact and
 * the daemon must stop (it cannot promise tokens it did not persist).
 */
int dl_state_save(const char *path, const struct dl_state *st)
{
	char tmp[PATH_MAX], buf[128];
	int fd, err, len;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	len = snprintf(buf, sizeof(buf), "dleased-state 1 %" PRIu64 " %"
		       PRIu64 "\n", st->token_hwm, st->incarnation);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = dl_write_all(fd, buf, (size_t)len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		goto unlink_tmp;
	if (rename(tmp, path)) {
		err = -errno;
		goto unlink_tmp;
	}
	return dl_fsync_dir(path);

unlink_tmp:
	unlink(tmp);
	return err;
}
