// SPDX-License-Identifier: GPL-2.0
/*
 * Loading the cluster key. Anyone who can read it can forge packets that
 * every node accepts, so a key readable (or writable) by group or others,
 * or owned by another user than root or the daemon, is refused, as ssh
 * refuses private keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"

static int dld_key_check(const struct stat *st, const char **why)
{
	*why = NULL;
	if (!S_ISREG(st->st_mode))
		*why = "not a regular file";
	else if (st->st_size != DL_WIRE_KEY_LEN)
		*why = "must be exactly 32 bytes (head -c 32 /dev/urandom)";
	if (*why)
		return -EINVAL;
	if (st->st_mode & 0077)
		*why = "accessible by group or others (chmod 600 it)";
	else if (st->st_uid != 0 && st->st_uid != geteuid())
		*why = "owned by another user than root or the daemon's";
	return *why ? -EPERM : 0;
}

/**
 * dld_key_load() - read and vet the cluster key
 * @path: key file name
 * @key: the key, filled in on success
 * @why: set to a static reason on failure
 *
 * Return: 0, -EPERM (permissions or owner), -EINVAL (size or type), or a
 * negative errno from open() or read().
 */
int dld_key_load(const char *path, uint8_t key[DL_WIRE_KEY_LEN],
		 const char **why)
{
	struct stat st;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		*why = strerror(errno);
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		*why = strerror(errno);
		goto close_fd;
	}
	err = dld_key_check(&st, why);
	if (err)
		goto close_fd;
	n = read(fd, key, DL_WIRE_KEY_LEN);
	err = 0;
	if (n != DL_WIRE_KEY_LEN) {
		err = n < 0 ? -errno : -EIO;
		*why = "short read";
	}
close_fd:
	close(fd);
	return err;
}
