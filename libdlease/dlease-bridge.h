/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdlease - the cluster bridge side of the "dlease" netlink family.
 *
 * A cluster daemon (dleased) registers as the bridge of its network
 * namespace, then receives the kernel's cluster requests (acquire, renew,
 * release of a lease asked for with DLEASE_ACQ_CLUSTER) and answers them.
 * Applications never need this: they ask for cluster leases with
 * dlease_acquire() and DLEASE_ACQ_CLUSTER.
 *
 * struct dlease_bridge owns a netlink socket of its own: the kernel sends
 * requests to the registered socket only, and the registration lasts as
 * long as that socket.  Closing it (or the daemon dying) makes the
 * namespace's cluster leases fail closed: pending requests fail with
 * ENOLINK and held leases expire at their deadline.
 *
 * The file descriptor fits an event loop: when it is readable, call
 * dlease_bridge_read() until it returns -EAGAIN.  Answers are sent with
 * dlease_bridge_answer(), which returns the kernel's verdict at once
 * (the kernel handles an answer synchronously); requests that arrive
 * meanwhile are queued for dlease_bridge_read().
 */
#ifndef LIBDLEASE_DLEASE_BRIDGE_H
#define LIBDLEASE_DLEASE_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/dlease.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dlease_bridge;

/**
 * struct dlease_bridge_request - a cluster request from the kernel
 * @handle: names the lease from its acquire to its release; echoed in
 *	every answer about it
 * @op: DLEASE_BRIDGE_OP_ACQUIRE, _RENEW or _RELEASE
 * @try: an acquire that must not wait in the cluster's queue
 * @ttl_ns: TTL asked for (acquire, renew)
 * @name_len: length of @name
 * @name: the resource, NUL-terminated (cluster names hold no NUL)
 */
struct dlease_bridge_request {
	uint64_t handle;
	uint32_t op;
	bool try;
	uint64_t ttl_ns;
	uint32_t name_len;
	char name[DLEASE_NAME_MAX + 1];
};

/**
 * struct dlease_bridge_answer - an answer to the kernel
 * @handle: the request's handle
 * @result: DLEASE_BRIDGE_RESULT_*
 * @error: DENY: a positive errno, 1..4095, handed to the waiter
 * @count: BREAK: how many wait for the lease in the cluster; WAIT: the
 *	request's place in the cluster's line, from 1 (next)
 * @token: GRANT: the cluster's fencing token (non-zero)
 * @expires_ns: GRANT, RENEWED: the latest CLOCK_MONOTONIC time this host
 *	may hold the lease; the kernel ends it cluster-margin earlier.
 *	WAIT: when the grant is expected, CLOCK_MONOTONIC
 */
struct dlease_bridge_answer {
	uint64_t handle;
	uint32_t result;
	uint32_t error;
	uint32_t count;
	uint64_t token;
	uint64_t expires_ns;
};

/**
 * dlease_bridge_new() - a netlink socket for a bridge, not registered yet
 * @bp: the new handle
 *
 * Return: 0; -EOPNOTSUPP (no "dlease" netlink family: the module is not
 * loaded); -ENOMEM; errors of socket(2).
 */
int dlease_bridge_new(struct dlease_bridge **bp);

/**
 * dlease_bridge_register() - become the bridge of the caller's netns
 * @b: the handle
 *
 * Needs CAP_NET_ADMIN in the user namespace of the network namespace of
 * the socket.  Requests may arrive as soon as it succeeds.
 *
 * Return: 0; -EBUSY (another bridge is registered); -EPERM; -ETIMEDOUT
 * (no answer from the kernel); see dlease_bridge_extack().
 */
int dlease_bridge_register(struct dlease_bridge *b);

/**
 * dlease_bridge_close() - close (unregister) and free
 * @b: the handle, or NULL
 */
void dlease_bridge_close(struct dlease_bridge *b);

/**
 * dlease_bridge_fd() - the descriptor requests arrive on
 * @b: the handle
 *
 * Return: a non-blocking file descriptor, for poll()/epoll.
 */
int dlease_bridge_fd(const struct dlease_bridge *b);

/**
 * dlease_bridge_read() - the next request, without waiting
 * @b: the handle
 * @req: filled in
 *
 * Return: 0; -EAGAIN (none now); -ENOBUFS (the socket overflowed and the
 * kernel could not send some requests: it failed those itself, reading
 * goes on after them); -EPROTO (a malformed message, skipped).
 */
int dlease_bridge_read(struct dlease_bridge *b,
		       struct dlease_bridge_request *req);

/**
 * dlease_bridge_answer() - answer a request
 * @b: the handle
 * @ans: the answer
 *
 * Return: 0; the kernel's refusal: -ENOENT (no such request: it ended
 * meanwhile), -ESTALE (it is no longer in the state the answer is for),
 * -EINVAL, -ERANGE (a bad field, see dlease_bridge_extack()); -ENOBUFS
 * (the socket overflowed: the verdict was lost); -ETIMEDOUT.
 */
int dlease_bridge_answer(struct dlease_bridge *b,
			 const struct dlease_bridge_answer *ans);

/**
 * dlease_bridge_extack() - the kernel's message about the last refusal
 * @b: the handle
 *
 * Return: the message, "" if there is none.
 */
const char *dlease_bridge_extack(const struct dlease_bridge *b);

#ifdef __cplusplus
}
#endif

#endif /* LIBDLEASE_DLEASE_BRIDGE_H */
