// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: decoding event records, reading them from a session (a
 * pipe stands in for /dev/dlease), what they do to lease handles, and
 * the messages of dlease_strerror().
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cluster_tap.h"
#include "internal.h"

static struct dlease_event rec(uint32_t type, uint64_t id, uint64_t token)
{
	return (struct dlease_event) {
		.type = type, .count = 3, .lease_id = id, .token = token,
		.cookie = 0xc0ffee, .time_ns = 1000 + type,
		.expires_ns = type == DLEASE_EV_GRANTED ? 5000 : 0,
	};
}

static void decode_each_type(void)
{
	struct dlease_lease_event ev;
	struct dlease_event r;

	for (uint32_t t = DLEASE_EV_GRANTED; t <= DLEASE_EV_OVERFLOW; t++) {
		r = rec(t, 7, 42);
		TAP_OK(dlease_event_decode(&r, sizeof(r), &ev) == sizeof(r) &&
		       ev.type == t && ev.lease_id == 7 && ev.token == 42 &&
		       ev.count == 3 && ev.cookie == 0xc0ffee &&
		       ev.time_ns == 1000 + t && !ev.lease && !ev.error,
		       "decode %s", dlease_event_name(t));
	}
	r = rec(0, 1, 1);
	TAP_OK(dlease_event_decode(&r, sizeof(r), &ev) == -EBADMSG,
	       "type 0 is EBADMSG");
	r = rec(DLEASE_EV_QUEUED, 1, 1);
	TAP_OK(dlease_event_decode(&r, sizeof(r), &ev) == -EBADMSG,
	       "observer-only type in a session record is EBADMSG");
	r = rec(DLEASE_EV_RELEASED, 1, 1);
	TAP_OK(dlease_event_decode(&r, sizeof(r), &ev) == -EBADMSG,
	       "released in a session record is EBADMSG");
	r = rec(DLEASE_EV_MAX + 1, 1, 1);
	TAP_OK(dlease_event_decode(&r, sizeof(r), &ev) == -EBADMSG,
	       "unknown type is EBADMSG");
	TAP_OK(dlease_event_decode(&r, sizeof(r) - 1, &ev) == -EMSGSIZE,
	       "short record is EMSGSIZE");
}

/* WAIT: the place in the cluster's line and the expected grant. */
static void decode_wait(void)
{
	struct dlease_lease_event ev;
	struct dlease_event r = {
		.type = DLEASE_EV_WAIT, .count = 2, .lease_id = 9,
		.cookie = 5, .time_ns = 1000, .expires_ns = 851000,
	};

	TAP_OK(dlease_event_decode(&r, sizeof(r), &ev) == sizeof(r) &&
	       ev.type == DLEASE_EV_WAIT && ev.count == 2 &&
	       ev.lease_id == 9 && !ev.token && ev.cookie == 5 &&
	       ev.time_ns == 1000 && ev.expires_ns == 851000 && !ev.lease,
	       "decode wait: place and expected grant");
	TAP_OK(!strcmp(dlease_event_name(DLEASE_EV_WAIT), "wait"),
	       "wait is named");
	TAP_OK(!dlease_event_is_loss(&ev), "a wait is no loss");
}

static void names(void)
{
	TAP_OK(!strcmp(dlease_event_name(DLEASE_EV_EXPIRED), "expired") &&
	       !strcmp(dlease_event_name(DLEASE_EV_LOST), "lost") &&
	       !strcmp(dlease_event_name(DLEASE_EV_RENEW_ERROR),
		       "renew-error") &&
	       !strcmp(dlease_event_name(DLEASE_EV_RELEASED), "released") &&
	       !strcmp(dlease_event_name(0), "unknown") &&
	       !strcmp(dlease_event_name(1000), "unknown"), "event names");
	TAP_OK(!strcmp(dlease_state_name(DLEASE_STATE_LATE), "late") &&
	       !strcmp(dlease_state_name(DLEASE_STATE_LOST), "lost") &&
	       !strcmp(dlease_state_name(0), "unknown") &&
	       !strcmp(dlease_mode_name(DLEASE_MODE_SHARED), "shared") &&
	       !strcmp(dlease_mode_name(9), "unknown"), "state, mode names");
}

static int pipe_session(struct dlease_session **s, int *wfd)
{
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	*s = dl_session_from_fd(p[0]);
	*wfd = p[1];
	return *s ? 0 : -ENOMEM;
}

/* A pipe session with one waiting request of id @id, or NULL. */
static struct dlease_lease *waiting_in_pipe(struct dlease_session **s,
					    int *wfd, uint64_t id)
{
	struct dlease_lease *l;

	if (pipe_session(s, wfd)) {
		TAP_OK(0, "pipe session");
		return NULL;
	}
	l = dl_lease_new(*s, "db", 2);
	l->id = id;
	l->state = DLEASE_STATE_WAITING;
	return l;
}

static void put(int fd, struct dlease_event r)
{
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		TAP_OK(0, "write to pipe");
}

static void session_reads(void)
{
	struct dlease_lease_event ev;
	struct dlease_session *s = NULL;
	struct dlease_lease *l;
	int w = -1;

	l = waiting_in_pipe(&s, &w, 5);
	if (!l)
		return;
	TAP_OK(dlease_read_event(s, &ev, 0) == -EAGAIN, "empty: EAGAIN");
	TAP_OK(dlease_read_event(s, &ev, 20) == -EAGAIN,
	       "empty with timeout: EAGAIN");

	put(w, rec(DLEASE_EV_GRANTED, 5, 9));
	put(w, rec(DLEASE_EV_BREAK, 5, 9));
	put(w, rec(DLEASE_EV_LATE, 5, 9));
	put(w, rec(99, 5, 9));
	put(w, rec(DLEASE_EV_OVERFLOW, 5, 0));
	put(w, rec(DLEASE_EV_RENEWED, 6, 9));
	put(w, rec(DLEASE_EV_EXPIRED, 5, 9));

	TAP_OK(!dlease_read_event(s, &ev, -1) && ev.lease == l &&
	       dlease_lease_state(l) == DLEASE_STATE_HELD &&
	       dlease_lease_token(l) == 9 && dlease_lease_expires(l) == 5000,
	       "GRANTED makes the handle held, with token and expiry");
	TAP_OK(!dlease_read_event(s, &ev, 0) && ev.type == DLEASE_EV_BREAK &&
	       ev.count == 3 && !dlease_event_is_loss(&ev),
	       "BREAK carries the waiter count");
	TAP_OK(!dlease_read_event(s, &ev, 0) &&
	       dlease_lease_state(l) == DLEASE_STATE_LATE,
	       "LATE marks the handle late");
	TAP_OK(dlease_read_event(s, &ev, 0) == -EBADMSG,
	       "unknown record: EBADMSG");
	TAP_OK(!dlease_read_event(s, &ev, 0) &&
	       ev.type == DLEASE_EV_OVERFLOW && !ev.lease,
	       "the record after a bad one is not lost; OVERFLOW has no lease");
	TAP_OK(!dlease_read_event(s, &ev, 0) && !ev.lease &&
	       ev.lease_id == 6, "event of an unknown id has no handle");
	TAP_OK(!dlease_read_event(s, &ev, 0) && dlease_event_is_loss(&ev) &&
	       dlease_lease_state(l) == DLEASE_STATE_LOST,
	       "EXPIRED marks the handle lost");
	put(w, rec(DLEASE_EV_RENEWED, 5, 9));
	TAP_OK(!dlease_read_event(s, &ev, 0) &&
	       dlease_lease_state(l) == DLEASE_STATE_LOST,
	       "a lost handle stays lost");

	TAP_OK(write(w, "short", 5) == 5 &&
	       dlease_read_event(s, &ev, 0) == -EBADMSG,
	       "partial record: EBADMSG");
	close(w);
	dlease_close(s);
}

/* A WAIT read from a session finds its request and leaves it waiting. */
static void session_reads_wait(void)
{
	struct dlease_event r = { .type = DLEASE_EV_WAIT, .count = 1,
				  .lease_id = 4, .expires_ns = 7000 };
	struct dlease_lease_event ev;
	struct dlease_session *s = NULL;
	struct dlease_lease *l;
	int w = -1;

	l = waiting_in_pipe(&s, &w, 4);
	if (!l)
		return;
	put(w, r);
	TAP_OK(!dlease_read_event(s, &ev, 0) && ev.lease == l &&
	       ev.type == DLEASE_EV_WAIT && ev.count == 1 &&
	       ev.expires_ns == 7000 &&
	       dlease_lease_state(l) == DLEASE_STATE_WAITING &&
	       !dlease_lease_token(l) && !dlease_lease_expires(l),
	       "WAIT reaches its request and leaves it waiting");
	close(w);
	dlease_close(s);
}

static void messages(void)
{
	static const int errs[] = {
		EAGAIN, ETIMEDOUT, EINTR, ESTALE, ENOENT, EBUSY, EDQUOT,
		ENOSPC, ERANGE, EINVAL, ENODEV, EACCES, EPERM, ENOMEM,
		EPROTONOSUPPORT, EMSGSIZE, EBADMSG, EALREADY, ESRCH, EPROTO,
		EOPNOTSUPP,
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(errs); i++)
		if (strcmp(dlease_strerror(-errs[i]), strerror(errs[i])) == 0 ||
		    strcmp(dlease_strerror(-errs[i]),
			   dlease_strerror(errs[i])))
			bad++;
	TAP_OK(!bad, "every library errno has its own message (%d not)",
	       bad);
	TAP_OK(!strcmp(dlease_strerror(0), "success") &&
	       !strcmp(dlease_strerror(-EXDEV), strerror(EXDEV)) &&
	       !strcmp(dlease_strerror(-100000), "unknown error"),
	       "other errno values fall back to the C library");
}

int main(void)
{
	decode_each_type();
	decode_wait();
	names();
	session_reads();
	session_reads_wait();
	messages();
	return tap_done();
}
