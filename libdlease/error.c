// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dlease_strerror(): the errno values of the library in the words of
 * leases.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static const char *const messages[] = {
	[EAGAIN] = "lease is held by someone else",
	[ETIMEDOUT] = "timed out waiting for the lease",
	[EINTR] = "interrupted by a signal",
	[ESTALE] = "lease is gone (expired, revoked or released)",
	[ENOENT] = "no such lease",
	[EBUSY] = "request is still waiting, not held",
	[EDQUOT] = "too many leases and requests for this session or user",
	[ENOSPC] = "too many waiters on this resource",
	[ERANGE] = "TTL or grace period out of the allowed range",
	[EINVAL] = "invalid argument",
	[ENODEV] = "device not available (is the dlease module loaded?)",
	[EACCES] = "permission denied",
	[EPERM] = "operation not permitted (needs CAP_NET_ADMIN)",
	[ENOMEM] = "out of memory",
	[EPROTONOSUPPORT] = "dlease module speaks another API version",
	[EMSGSIZE] = "event record too short",
	[EBADMSG] = "malformed event or message",
	[EALREADY] = "keeper thread runs already",
	[ESRCH] = "keeper thread is not running",
	[EPROTO] = "malformed netlink message from the kernel",
	[EOPNOTSUPP] = "netlink family dlease not available",
};

const char *dlease_strerror(int err)
{
	const char *msg;

	if (err < 0)
		err = -err;
	if (!err)
		return "success";
	if ((size_t)err < ARRAY_SIZE(messages) &&
	    messages[err])
		return messages[err];
	msg = strerrordesc_np(err);
	return msg ? msg : "unknown error";
}
