// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel bridge. dleased registers as the cluster bridge of its
 * network namespace through libdlease (dlease-bridge.h); the kernel then
 * forwards the head waiter of every cluster resource here, and renewals
 * and releases of the cluster leases it holds. Each request goes through
 * the bridge seam to the protocol core with the kernel's handle as its id;
 * each answer goes back as DLEASE_CMD_BRIDGE_ANSWER:
 *
 *   core / bridge.h        kernel
 *   GRANTED                GRANT   token, expires = deadline
 *   RENEWED                RENEWED expires = deadline
 *   DENIED                 DENY    errno; LOST if it was about a held
 *                                  lease the daemon no longer has
 *   LOST                   LOST    (the holder gets REVOKED)
 *   BREAK                  BREAK   count 1: the core does not count
 *                                  (a BREAK message carries no queue
 *                                  length on the wire)
 *   WAIT                   WAIT    count = position + 1 (1: next),
 *                                  expires = now + wait_ns; nothing for
 *                                  a TRY acquire, which is denied EAGAIN
 *   RELEASED               nothing: releases are not answered
 *
 * The expiry handed to the kernel is the core's deadline, the cluster
 * expiry less epsilon: the kernel ends the lease cluster-margin before
 * it, so a holder never outlives the cluster's view of its lease. The
 * expected grant of a WAIT is relative in the core (wait_ns, from the
 * protocol time the output was made at, a moment ago): it becomes an
 * instant on CLOCK_MONOTONIC, the kernel's clock, like the deadlines.
 *
 * A TRY acquire asks the cluster once: it gives up as soon as its first
 * round is over (give-up time 1 ns), and a WAIT on the way means that
 * someone else holds the lease (EAGAIN rather than ETIMEDOUT).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sysexits.h>

#include "daemon.h"
#include "dlease-bridge.h"
#include "log.h"

/* an acquire the kernel asked with TRY, until it is answered */
struct dld_ktry {
	struct dld_ktry *next;
	uint64_t handle;
	bool waited;
};

static struct dld_ktry **dld_ktry_find(struct dld_kbridge *kb,
				       uint64_t handle)
{
	struct dld_ktry **pos;

	for (pos = &kb->tries; *pos; pos = &(*pos)->next)
		if ((*pos)->handle == handle)
			break;
	return pos;
}

/* Forgets a TRY; returns whether it saw a WAIT. */
static bool dld_ktry_forget(struct dld_kbridge *kb, uint64_t handle)
{
	struct dld_ktry **pos = dld_ktry_find(kb, handle), *t = *pos;
	bool waited;

	if (!t)
		return false;
	waited = t->waited;
	*pos = t->next;
	free(t);
	return waited;
}

static void dld_kbridge_send(struct dld_kbridge *kb,
			     const struct dlease_bridge_answer *ba,
			     const struct dld_answer *a)
{
	int err = dlease_bridge_answer(kb->nl, ba);

	if (!err) {
		kb->stats.answers++;
		return;
	}
	kb->stats.refused++;
	/* The request ended meanwhile (released, timed out, interrupted). */
	if (err == -ENOENT || err == -ESTALE)
		dld_debug("kernel: answer %u about %.*s refused: %s",
			  ba->result, a->name_len, a->name, strerror(-err));
	else
		dld_warn("kernel: answer %u about %.*s refused: %s%s%s",
			 ba->result, a->name_len, a->name, strerror(-err),
			 *dlease_bridge_extack(kb->nl) ? ": " : "",
			 dlease_bridge_extack(kb->nl));
}

/*
 * A denial is about an acquire or a renewal; only the kernel knows which
 * (the bridge answers both with the same handle). A DENY of a held lease
 * is refused with ESTALE: if the daemon has no such lease, it is lost.
 */
static void dld_kbridge_denied(struct dld_kbridge *kb,
			       const struct dld_answer *a)
{
	struct dlease_bridge_answer ba = { .handle = a->id,
					   .result = DLEASE_BRIDGE_RESULT_DENY };
	bool waited = dld_ktry_forget(kb, a->id);
	int err;

	if (a->error == -ECANCELED)
		return;		/* the kernel's own release: it asks no more */
	ba.error = (uint32_t)-a->error;
	if (a->error == -ETIMEDOUT && waited)
		ba.error = EAGAIN;
	err = dlease_bridge_answer(kb->nl, &ba);
	if (err == -ESTALE && a->error == -ENOENT) {
		ba = (struct dlease_bridge_answer){ .handle = a->id,
			.result = DLEASE_BRIDGE_RESULT_LOST };
		dld_kbridge_send(kb, &ba, a);
		return;
	}
	if (!err)
		kb->stats.answers++;
	else
		dld_debug("kernel: denial of %.*s refused: %s", a->name_len,
			  a->name, strerror(-err));
}

static void dld_kbridge_answer(struct dld_requester *rq,
			       const struct dld_answer *a)
{
	struct dld_kbridge *kb = container_of(rq, struct dld_kbridge, rq);
	struct dlease_bridge_answer ba = { .handle = a->id };
	struct dld_ktry *t;

	switch (a->type) {
	case DLD_ANS_GRANTED:
		dld_ktry_forget(kb, a->id);
		ba.result = DLEASE_BRIDGE_RESULT_GRANT;
		ba.token = a->token;
		ba.expires_ns = a->deadline;
		break;
	case DLD_ANS_RENEWED:
		ba.result = DLEASE_BRIDGE_RESULT_RENEWED;
		ba.expires_ns = a->deadline;
		break;
	case DLD_ANS_DENIED:
		dld_kbridge_denied(kb, a);
		return;
	case DLD_ANS_LOST:
		ba.result = DLEASE_BRIDGE_RESULT_LOST;
		break;
	case DLD_ANS_BREAK:
		ba.result = DLEASE_BRIDGE_RESULT_BREAK;
		ba.count = 1;
		break;
	case DLD_ANS_WAIT:
		t = *dld_ktry_find(kb, a->id);
		if (t) {
			t->waited = true;
			return;
		}
		ba.result = DLEASE_BRIDGE_RESULT_WAIT;
		ba.count = a->position + 1;
		ba.expires_ns = dld_mono_now() + a->wait_ns;
		break;
	default:
		return;
	}
	dld_kbridge_send(kb, &ba, a);
}

static const uint8_t dld_op_of[] = {
	[DLEASE_BRIDGE_OP_ACQUIRE] = DLD_OP_ACQUIRE,
	[DLEASE_BRIDGE_OP_RENEW] = DLD_OP_RENEW,
	[DLEASE_BRIDGE_OP_RELEASE] = DLD_OP_RELEASE,
};

/* Remembers a TRY acquire; 0 or -ENOMEM. */
static int dld_kbridge_try(struct dld_kbridge *kb, uint64_t handle)
{
	struct dld_ktry *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->handle = handle;
	t->next = kb->tries;
	kb->tries = t;
	return 0;
}

static void dld_kbridge_request(struct dld_kbridge *kb,
				const struct dlease_bridge_request *r)
{
	struct dld_daemon *d = kb->d;
	struct dld_request req = { .id = r->handle, .ttl_ns = r->ttl_ns };
	struct dlease_bridge_answer deny = { .handle = r->handle,
		.result = DLEASE_BRIDGE_RESULT_DENY, .error = ENOMEM };

	if (r->op >= sizeof(dld_op_of) || !dld_op_of[r->op] ||
	    r->name_len > DL_NAME_MAX) {
		kb->stats.requests[0]++;
		dld_warn("kernel: request %u about %s not understood",
			 r->op, r->name);
		return;
	}
	kb->stats.requests[r->op]++;
	req.op = dld_op_of[r->op];
	req.name_len = (uint8_t)r->name_len;
	memcpy(req.name, r->name, r->name_len);
	dld_debug("kernel: %s %s handle %llu ttl %llu ms%s",
		  req.op == DLD_OP_ACQUIRE ? "acquire" :
		  req.op == DLD_OP_RENEW ? "renew" : "release", r->name,
		  (unsigned long long)r->handle,
		  (unsigned long long)(r->ttl_ns / 1000000), r->try ?
		  " try" : "");
	if (req.op == DLD_OP_RELEASE)
		dld_ktry_forget(kb, r->handle);
	if (req.op == DLD_OP_ACQUIRE && r->try) {
		if (dld_kbridge_try(kb, r->handle)) {
			dlease_bridge_answer(kb->nl, &deny);
			return;
		}
		req.timeout_ns = 1;
	}
	dld_daemon_flush(d, dld_bridge_submit(&d->bridge, &kb->rq, &req,
					      dld_clock_now(&d->clock)));
}

static void dld_kbridge_ready(struct dld_watch *w, uint32_t events)
{
	struct dld_kbridge *kb = container_of(w, struct dld_kbridge, watch);
	struct dlease_bridge_request r;
	int err;

	while (kb->nl && !kb->d->stopping) {
		err = dlease_bridge_read(kb->nl, &r);
		if (err == -EAGAIN)
			return;
		if (err == -ENOBUFS) {
			kb->stats.overruns++;
			dld_warn("kernel: bridge socket overflowed; the kernel failed the requests it could not send");
			continue;
		}
		if (err == -EPROTO) {
			kb->stats.requests[0]++;
			dld_warn("kernel: malformed request skipped");
			continue;
		}
		if (err) {
			dld_daemon_fail(kb->d, EX_OSERR, "kernel bridge", err);
			return;
		}
		dld_kbridge_request(kb, &r);
	}
}

static int dld_kbridge_refused(int err, const char *extack)
{
	dld_err("cannot register as the kernel's cluster bridge: %s%s%s%s",
		strerror(-err), *extack ? " (" : "", extack,
		*extack ? ")" : "");
	if (err == -EPERM) {
		dld_err("registering needs CAP_NET_ADMIN in the network namespace's user namespace");
		return EX_NOPERM;
	}
	if (err == -EBUSY)
		dld_err("another dleased is the bridge of this network namespace");
	return EX_UNAVAILABLE;
}

/**
 * dld_kbridge_open() - register as the kernel's bridge, as configured
 * @kb: kernel bridge
 * @d: daemon
 *
 * With kernel-bridge = auto, a kernel without the dlease netlink family
 * (module not loaded) leaves the bridge off; with yes, that is an error.
 * A registration the kernel refuses (EBUSY, EPERM) is always an error.
 *
 * Return: 0, or a sysexits code (the reason is logged).
 */
int dld_kbridge_open(struct dld_kbridge *kb, struct dld_daemon *d)
{
	int mode = d->conf->kernel_bridge, err;

	memset(kb, 0, sizeof(*kb));
	kb->d = d;
	kb->watch.fd = -1;
	kb->rq.kind = "kernel";
	kb->rq.answer = dld_kbridge_answer;
	if (mode == DLD_KBRIDGE_NO)
		return 0;
	err = dlease_bridge_new(&kb->nl);
	if (err == -EOPNOTSUPP && mode == DLD_KBRIDGE_AUTO) {
		dld_notice("no dlease netlink family (module not loaded): kernel bridge off");
		return 0;
	}
	if (err) {
		dld_err("kernel bridge: %s%s", strerror(-err),
			err == -EOPNOTSUPP ?
			" (no dlease netlink family: load the dlease module)" :
			"");
		return EX_UNAVAILABLE;
	}
	err = dlease_bridge_register(kb->nl);
	if (err) {
		err = dld_kbridge_refused(err, dlease_bridge_extack(kb->nl));
		goto close_nl;
	}
	err = dld_loop_add(&d->loop, &kb->watch, dlease_bridge_fd(kb->nl),
			   dld_kbridge_ready, EPOLLIN);
	if (err) {
		dld_err("kernel bridge: %s", strerror(-err));
		err = EX_OSERR;
		goto close_nl;
	}
	dld_info("registered as the kernel's cluster bridge");
	return 0;

close_nl:
	dlease_bridge_close(kb->nl);
	kb->nl = NULL;
	return err;
}

/**
 * dld_kbridge_close() - unregister: the kernel fails its cluster requests
 *	and lets its cluster leases run out
 * @kb: kernel bridge
 *
 * Called after the bridge seam released every lease (clean stop), so
 * nothing is claimed by the kernel requester any more.
 */
void dld_kbridge_close(struct dld_kbridge *kb)
{
	while (kb->tries)
		dld_ktry_forget(kb, kb->tries->handle);
	if (!kb->nl)
		return;
	dld_loop_del(&kb->d->loop, &kb->watch);
	dlease_bridge_close(kb->nl);
	kb->nl = NULL;
}
