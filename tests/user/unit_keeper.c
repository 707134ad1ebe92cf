// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: when the keeper renews (schedule.c, pure), and the keeper
 * itself driven by a fake clock and fake renewals over a pipe session.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cluster_tap.h"
#include "internal.h"

#define MS	1000000ULL
#define T0	(1000 * MS)

static void sched_basics(void)
{
	struct renew_sched rs;

	dl_sched_init(&rs, 0, 300 * MS);
	TAP_OK(rs.due_ns == UINT64_MAX && rs.divisor == 3,
	       "not scheduled before the grant; divisor 3 by default");
	dl_sched_granted(&rs, T0, T0 + 300 * MS);
	TAP_OK(rs.due_ns == T0 + 100 * MS, "first renewal at 1/3 of the TTL");
	dl_sched_renewed(&rs, T0 + 100 * MS, T0 + 101 * MS, T0 + 401 * MS,
			 false);
	TAP_OK(rs.due_ns == T0 + 201 * MS && rs.delay_ns == MS,
	       "next renewal 1/3 TTL after the last; delay learnt");
	dl_sched_renewed(&rs, T0 + 201 * MS, T0 + 202 * MS, T0 + 502 * MS,
			 true);
	TAP_OK(rs.divisor == 6 && rs.due_ns == T0 + 252 * MS,
	       "WAS_LATE halves the interval");
	for (int i = 0; i < SCHED_CLEAN_TO_RELAX; i++)
		dl_sched_renewed(&rs, rs.due_ns, rs.due_ns,
				 rs.due_ns + 300 * MS, false);
	TAP_OK(rs.divisor == 3, "clean renewals bring the divisor back");
}

static void sched_slow(void)
{
	struct renew_sched rs;
	uint64_t now = T0;

	dl_sched_init(&rs, 3, 300 * MS);
	dl_sched_granted(&rs, now, now + 300 * MS);
	/* The call took 60 ms: keep 4 x 60 ms in hand before expiry. */
	dl_sched_renewed(&rs, rs.due_ns, rs.due_ns + 60 * MS,
			 rs.due_ns + 360 * MS, false);
	TAP_OK(rs.due_ns == T0 + 160 * MS + 60 * MS && rs.divisor == 3,
	       "slow renewal: next one 4 delays before expiry (due %llu)",
	       (unsigned long long)(rs.due_ns - T0) / MS);
	/* Woken 30 ms late, call 1 ms: the delay counts both. */
	dl_sched_init(&rs, 3, 300 * MS);
	dl_sched_granted(&rs, now, now + 300 * MS);
	dl_sched_renewed(&rs, T0 + 130 * MS, T0 + 131 * MS, T0 + 431 * MS,
			 false);
	TAP_OK(rs.delay_ns == 31 * MS, "late wake-up counts as delay");
	/* Delays decay by 1/8 per renewal once they are gone. */
	dl_sched_renewed(&rs, rs.due_ns, rs.due_ns, rs.due_ns + 300 * MS,
			 false);
	TAP_OK(rs.delay_ns == 31 * MS - 31 * MS / 8, "delay decays");
	/* A delay beyond the TTL: renew as often as the minimum gap. */
	dl_sched_renewed(&rs, rs.due_ns, rs.due_ns + 400 * MS,
			 rs.due_ns + 700 * MS, false);
	TAP_OK(rs.due_ns > rs.expires_ns - 300 * MS,
	       "huge delay: renewals still spaced by the minimum gap");
}

static void sched_errors(void)
{
	struct renew_sched rs;

	dl_sched_init(&rs, 3, 320 * MS);
	dl_sched_granted(&rs, T0, T0 + 320 * MS);
	dl_sched_failed(&rs, T0 + 120 * MS);
	TAP_OK(rs.due_ns == T0 + 140 * MS && rs.failures == 1,
	       "failure: retry after 1/16 TTL at most");
	dl_sched_failed(&rs, T0 + 280 * MS);
	TAP_OK(rs.due_ns == T0 + 290 * MS,
	       "failure near expiry: retry after a quarter of what is left");
	dl_sched_failed(&rs, T0 + 400 * MS);
	TAP_OK(rs.due_ns == T0 + 405 * MS + 1,
	       "failure after expiry: retry after the minimum gap");
	dl_sched_late(&rs, T0 + 500 * MS);
	TAP_OK(rs.due_ns == T0 + 500 * MS && rs.divisor == 6,
	       "LATE: renew now, and sooner from now on");
	dl_sched_stop(&rs);
	TAP_OK(rs.due_ns == UINT64_MAX, "stopped: never due");
	dl_sched_init(&rs, 64, 10);
	dl_sched_granted(&rs, 5, 15);
	TAP_OK(rs.due_ns > 5, "a tiny TTL is never due at once");
}

/* The fake world: a clock and the result of the next renewals. */
struct fake {
	uint64_t now;
	uint64_t call_ns;	/* how long a renewal takes */
	int result;		/* what renewals answer */
	bool late;
	int renewals;
	int late_renewals;	/* renewals that came after expiry */
	int notified[128];
	int lost_told;
	bool release_in_notify;
};

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static int fake_renew(void *ctx, struct dlease_lease *l, bool *was_late)
{
	struct fake *f = ctx;

	f->renewals++;
	if (f->now > l->expires_ns)
		f->late_renewals++;
	f->now += f->call_ns;
	*was_late = f->late;
	if (!f->result)
		l->expires_ns = f->now + l->ttl_ns;
	return f->result;
}

static const struct keeper_ops fake_ops = {
	.now = fake_now,
	.renew = fake_renew,
};

static void fake_notify(struct dlease_keeper *k,
			const struct dlease_lease_event *ev, void *arg)
{
	struct fake *f = arg;

	if (ev->type < 128)
		f->notified[ev->type]++;
	if (dlease_event_is_loss(ev))
		f->lost_told++;
	if (f->release_in_notify && ev->lease)
		dlease_release(ev->lease);
}

struct world {
	struct fake f;
	struct dlease_session *s;
	struct dlease_keeper *k;
	struct dlease_lease *l;
	int w;
};

static int world_new(struct world *wd, uint64_t ttl)
{
	struct dlease_keeper_opts o = { .notify = fake_notify, .arg = &wd->f };
	int p[2];

	memset(wd, 0, sizeof(*wd));
	wd->f.now = T0;
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	wd->w = p[1];
	wd->s = dl_session_from_fd(p[0]);
	if (!wd->s || dlease_keeper_new(wd->s, &o, &wd->k))
		return -ENOMEM;
	dl_keeper_set_ops(wd->k, &fake_ops, &wd->f);
	wd->l = dl_lease_new(wd->s, "res", 3);
	wd->l->id = 1;
	wd->l->token = 77;
	wd->l->ttl_ns = ttl;
	wd->l->state = DLEASE_STATE_HELD;
	wd->l->expires_ns = T0 + ttl;
	return dlease_keeper_add(wd->k, wd->l);
}

static void world_free(struct world *wd)
{
	dlease_keeper_free(wd->k);
	dlease_close(wd->s);
	close(wd->w);
}

static void put(struct world *wd, uint32_t type, uint64_t id)
{
	struct dlease_event r = { .type = type, .lease_id = id, .token = 77,
				  .time_ns = wd->f.now };

	if (write(wd->w, &r, sizeof(r)) != sizeof(r))
		TAP_OK(0, "write to pipe");
}

/* Runs the keeper at its deadlines until @until. */
static int run_until(struct world *wd, uint64_t until)
{
	int lost = 0, r;

	while (wd->f.now < until) {
		uint64_t next = dlease_keeper_next_deadline(wd->k);

		if (next == UINT64_MAX)
			break;
		if (next > wd->f.now)
			wd->f.now = next;
		r = dlease_keeper_dispatch(wd->k);
		if (r < 0)
			return r;
		lost += r;
	}
	return lost;
}

static void keeper_keeps(void)
{
	struct world wd;

	if (world_new(&wd, 300 * MS)) {
		TAP_OK(0, "fake world");
		return;
	}
	TAP_OK(dlease_keeper_next_deadline(wd.k) == T0 + 100 * MS &&
	       dlease_keeper_timeout_ms(wd.k) == 100,
	       "deadline and poll timeout of a new lease");
	TAP_OK(dlease_keeper_dispatch(wd.k) == 0 && !wd.f.renewals,
	       "nothing is renewed before it is due");
	wd.f.call_ns = 2 * MS;
	TAP_OK(run_until(&wd, T0 + 3000 * MS) == 0 && !wd.f.late_renewals &&
	       wd.f.renewals >= 28 && wd.f.renewals <= 31,
	       "10 x TTL: %d renewals, none late", wd.f.renewals);
	TAP_OK(dlease_lease_expires(wd.l) > wd.f.now, "lease still alive");

	wd.f.result = -ENOMEM;
	wd.f.now = dlease_keeper_next_deadline(wd.k);
	TAP_OK(dlease_keeper_dispatch(wd.k) == 0 &&
	       wd.f.notified[DLEASE_EV_RENEW_ERROR] == 1 &&
	       dlease_keeper_next_deadline(wd.k) < wd.f.now + 20 * MS,
	       "a transient error is told and retried soon");
	wd.f.result = 0;
	TAP_OK(run_until(&wd, wd.f.now + 100 * MS) == 0 &&
	       dlease_lease_expires(wd.l) > wd.f.now,
	       "the retry renews it");

	wd.f.result = -ESTALE;
	TAP_OK(run_until(&wd, wd.f.now + 1000 * MS) == 1 &&
	       wd.f.notified[DLEASE_EV_LOST] == 1 && wd.f.lost_told == 1 &&
	       dlease_keeper_next_deadline(wd.k) == UINT64_MAX,
	       "ESTALE without an event: LOST told once, renewals stop");
	world_free(&wd);
}

static void keeper_events(void)
{
	struct world wd;
	int renewals;

	if (world_new(&wd, 300 * MS)) {
		TAP_OK(0, "fake world");
		return;
	}
	wd.f.now = T0 + 50 * MS;
	put(&wd, DLEASE_EV_LATE, 1);
	TAP_OK(dlease_keeper_dispatch(wd.k) == 0 && wd.f.renewals == 1 &&
	       wd.f.notified[DLEASE_EV_LATE] == 1,
	       "LATE event: told and renewed at once");
	renewals = wd.f.renewals;
	put(&wd, DLEASE_EV_REVOKED, 1);
	wd.f.result = -ESTALE;
	TAP_OK(dlease_keeper_dispatch(wd.k) == 1 &&
	       wd.f.notified[DLEASE_EV_REVOKED] == 1 && wd.f.lost_told == 1 &&
	       dlease_lease_state(wd.l) == DLEASE_STATE_LOST,
	       "REVOKED: loss told at once");
	wd.f.now += 1000 * MS;
	put(&wd, DLEASE_EV_EXPIRED, 1);
	TAP_OK(dlease_keeper_dispatch(wd.k) == 0 && wd.f.lost_told == 1 &&
	       wd.f.renewals == renewals,
	       "no second loss, no renewal of a lost lease");
	TAP_OK(dlease_keeper_add(wd.k, wd.l) == -EINVAL &&
	       dlease_keeper_remove(wd.k, wd.l) == 0 &&
	       dlease_keeper_remove(wd.k, wd.l) == -ENOENT &&
	       dlease_keeper_add(wd.k, wd.l) == -ESTALE,
	       "add twice, remove twice, add a lost lease");
	world_free(&wd);
}

static void keeper_stale_with_event(void)
{
	struct world wd;

	if (world_new(&wd, 300 * MS)) {
		TAP_OK(0, "fake world");
		return;
	}
	/* The EXPIRED record is queued when the renewal says ESTALE. */
	wd.f.result = -ESTALE;
	wd.f.now = T0 + 100 * MS;
	put(&wd, DLEASE_EV_EXPIRED, 1);
	dl_keeper_set_ops(wd.k, &fake_ops, &wd.f);
	TAP_OK(dlease_keeper_dispatch(wd.k) == 1 && wd.f.lost_told == 1 &&
	       wd.f.notified[DLEASE_EV_EXPIRED] == 1 &&
	       !wd.f.notified[DLEASE_EV_LOST],
	       "EXPIRED queued: told as EXPIRED, not as LOST too");
	world_free(&wd);
}

static void keeper_release_in_notify(void)
{
	struct world wd;

	if (world_new(&wd, 300 * MS)) {
		TAP_OK(0, "fake world");
		return;
	}
	wd.f.release_in_notify = true;
	put(&wd, DLEASE_EV_REVOKED, 1);
	TAP_OK(dlease_keeper_dispatch(wd.k) == 1 &&
	       dlease_keeper_next_deadline(wd.k) == UINT64_MAX,
	       "notify may release the lease");
	TAP_OK(!wd.s->leases, "released handle is gone from the session");
	world_free(&wd);
}

static void keeper_waiting(void)
{
	struct dlease_event granted = { .type = DLEASE_EV_GRANTED,
					.lease_id = 1, .token = 78,
					.expires_ns = T0 + 300 * MS };
	struct world wd;

	if (world_new(&wd, 300 * MS)) {
		TAP_OK(0, "fake world");
		return;
	}
	dlease_keeper_remove(wd.k, wd.l);
	wd.l->state = DLEASE_STATE_WAITING;
	wd.l->expires_ns = 0;
	TAP_OK(!dlease_keeper_add(wd.k, wd.l) &&
	       dlease_keeper_next_deadline(wd.k) == UINT64_MAX &&
	       dlease_keeper_timeout_ms(wd.k) == -1,
	       "a waiting request is not renewed");
	if (write(wd.w, &granted, sizeof(granted)) != sizeof(granted))
		TAP_OK(0, "write to pipe");
	TAP_OK(dlease_keeper_dispatch(wd.k) == 0 &&
	       dlease_keeper_next_deadline(wd.k) == T0 + 100 * MS &&
	       dlease_lease_token(wd.l) == 78,
	       "GRANTED starts the renewals");
	TAP_OK(dlease_keeper_start(wd.k) == 0 &&
	       dlease_keeper_start(wd.k) == -EALREADY &&
	       dlease_keeper_dispatch(wd.k) == -EINVAL &&
	       dlease_keeper_stop(wd.k) == 0 &&
	       dlease_keeper_stop(wd.k) == -ESRCH,
	       "thread: start, start again, dispatch from outside, stop");
	world_free(&wd);
}

static void keeper_bad_opts(void)
{
	struct dlease_keeper_opts o = { .divisor = 1 };
	struct dlease_session *s = dl_session_from_fd(-1);
	struct dlease_keeper *k;

	TAP_OK(dlease_keeper_new(s, &o, &k) == -EINVAL, "divisor 1: EINVAL");
	o.divisor = 0;
	o.reserved[2] = 1;
	TAP_OK(dlease_keeper_new(s, &o, &k) == -EINVAL,
	       "reserved field: EINVAL");
	dlease_close(s);
}

int main(void)
{
	sched_basics();
	sched_slow();
	sched_errors();
	keeper_keeps();
	keeper_events();
	keeper_stale_with_event();
	keeper_release_in_notify();
	keeper_waiting();
	keeper_bad_opts();
	return tap_done();
}
