// SPDX-License-Identifier: GPL-2.0
/*
 * Codec round trips, every drop reason, replay windows, ballots.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "ballot.h"
#include "cluster_tap.h"
#include "replay.h"
#include "wire.h"

static const uint32_t nodes[] = { 1, 2, 3 };
static uint8_t key[DL_WIRE_KEY_LEN];

static void make_msg(struct dl_msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->name_len = 5;
	memcpy(m->name, "db/17", 5);
	m->ballot = (struct dl_ballot){ 123456789, 2 };
	m->sent_at = 42;
	m->lease = (struct dl_lease){ 2, 3, 99, 1000000, DL_LEASE_RELEASED };
	m->accepted = (struct dl_ballot){ 777, 3 };
	m->floor = 4096;
	m->position = 2;
	m->waiters = 3;
}

static bool same_fields(const struct dl_msg *a, const struct dl_msg *b)
{
	return a->type == b->type && a->name_len == b->name_len &&
	       !memcmp(a->name, b->name, a->name_len) &&
	       !memcmp(&a->lease, &b->lease, sizeof(a->lease)) &&
	       (a->type >= DL_MSG_WAKE || a->ballot.time == b->ballot.time);
}

static void test_roundtrip(void)
{
	struct dl_wire tx, rx;
	uint8_t buf[DL_WIRE_MAX_LEN];
	struct dl_msg m, out;
	uint32_t from = 0;
	int len, t;

	dl_wire_init(&tx, key, 7, 2, 1, nodes, 3);
	dl_wire_init(&rx, key, 7, 1, 1, nodes, 3);
	for (t = DL_MSG_PREPARE; t <= DL_MSG_MAX; t++) {
		make_msg(&m, (uint8_t)t);
		if (t == DL_MSG_PREPARE)
			m.lease = (struct dl_lease){ 0 };
		len = dl_wire_seal(&tx, &m, buf, sizeof(buf));
		TAP_OK(len > 0 && dl_wire_open(&rx, buf, (size_t)len, &from,
					       &out) == DL_DROP_NONE &&
		       from == 2, "type %d seals and opens", t);
		TAP_OK(t == DL_MSG_PREPARE || same_fields(&m, &out),
		       "type %d round-trips its fields", t);
	}
	make_msg(&m, DL_MSG_PROMISE);
	len = dl_wire_seal(&tx, &m, buf, sizeof(buf));
	dl_wire_open(&rx, buf, (size_t)len, &from, &out);
	TAP_OK(!memcmp(&m.accepted, &out.accepted, sizeof(m.accepted)) &&
	       out.floor == 4096 && out.position == 2 && out.waiters == 3,
	       "PROMISE carries accepted ballot, floor and queue");
	TAP_OK(dl_wire_seal(&tx, &m, buf, 40) == -EMSGSIZE,
	       "seal refuses a small buffer");
	m.name_len = 0;
	TAP_OK(dl_wire_seal(&tx, &m, buf, sizeof(buf)) == -EINVAL,
	       "seal refuses an empty name");
}

/* seal a PROMISE with @w, then let @mangle spoil it */
static int sealed(struct dl_wire *w, uint8_t *buf)
{
	struct dl_msg m;

	make_msg(&m, DL_MSG_PROMISE);
	return dl_wire_seal(w, &m, buf, DL_WIRE_MAX_LEN);
}

static enum dl_drop open_one(struct dl_wire *rx, const uint8_t *buf,
			     size_t len)
{
	struct dl_msg out;
	uint32_t from;

	return dl_wire_open(rx, buf, len, &from, &out);
}

static void reseal(uint8_t *buf, size_t len, const uint8_t *k)
{
	crypto_auth(buf + len - DL_WIRE_MAC_LEN, buf, len - DL_WIRE_MAC_LEN,
		    k);
}

static void test_drops(void)
{
	uint8_t buf[DL_WIRE_MAX_LEN + 8], other[DL_WIRE_KEY_LEN];
	struct dl_wire tx, rx, stranger, wrongkey, tx2;
	static const uint32_t with9[] = { 1, 2, 3, 9 };
	int len;

	memset(other, 0x5a, sizeof(other));
	dl_wire_init(&tx, key, 7, 2, 5, nodes, 3);
	dl_wire_init(&rx, key, 7, 1, 1, nodes, 3);
	len = sealed(&tx, buf);
	TAP_OK(open_one(&rx, buf, 10) == DL_DROP_SHORT, "short dropped");
	TAP_OK(open_one(&rx, buf, DL_WIRE_MAX_LEN + 1) == DL_DROP_OVERSIZE,
	       "oversize dropped");
	buf[0] ^= 1;
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_BAD_MAGIC,
	       "bad magic dropped");
	buf[0] ^= 1;
	buf[4] = 2;
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_BAD_VERSION,
	       "bad version dropped");
	buf[4] = 1;
	buf[11] ^= 1;
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_WRONG_CLUSTER,
	       "wrong cluster dropped");
	buf[11] ^= 1;
	dl_wire_init(&stranger, key, 7, 9, 1, with9, 4);
	len = sealed(&stranger, buf);
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_UNKNOWN_PEER,
	       "unknown peer dropped");
	dl_wire_init(&wrongkey, other, 7, 2, 5, nodes, 3);
	len = sealed(&wrongkey, buf);
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_BAD_MAC,
	       "bad MAC dropped");
	len = sealed(&tx, buf);
	buf[len - 40] ^= 0x10;
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_BAD_MAC,
	       "flipped body bit dropped as bad MAC");
	buf[len - 40] ^= 0x10;
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_NONE,
	       "fresh packet accepted");
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_REPLAY,
	       "replayed packet dropped");
	dl_wire_init(&tx2, key, 7, 2, 4, nodes, 3);
	len = sealed(&tx2, buf);
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_OLD_INCARNATION,
	       "old incarnation dropped");
	len = sealed(&tx, buf);
	buf[DL_WIRE_HDR_LEN] = 0;	/* name length 0 */
	reseal(buf, (size_t)len, key);
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_MALFORMED,
	       "empty name dropped as malformed");
	len = sealed(&tx, buf);
	buf[len - DL_WIRE_MAC_LEN - 13] = 0x80;	/* lease flags */
	reseal(buf, (size_t)len, key);
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_MALFORMED,
	       "unknown lease flag dropped as malformed");
	len = sealed(&tx, buf);
	buf[5] = DL_MSG_MAX + 1;
	reseal(buf, (size_t)len, key);
	TAP_OK(open_one(&rx, buf, (size_t)len) == DL_DROP_MALFORMED,
	       "unknown type dropped as malformed");
	TAP_OK(rx.drops[DL_DROP_REPLAY] == 1 &&
	       rx.drops[DL_DROP_MALFORMED] == 3 &&
	       rx.drops[DL_DROP_BAD_MAC] == 2, "drops counted by reason");
	TAP_OK(!strcmp(dl_drop_name(DL_DROP_REPLAY), "replay"),
	       "drop reasons have names");
}

static void test_replay(void)
{
	struct dl_wire_peer p = { .id = 2, .incarnation = 3 };

	dl_replay_commit(&p, 3, 10);
	TAP_OK(dl_replay_check(&p, 3, 10) == DL_DROP_REPLAY, "same seq");
	TAP_OK(dl_replay_check(&p, 3, 9) == DL_DROP_NONE,
	       "older unseen seq inside window accepted");
	dl_replay_commit(&p, 3, 9);
	TAP_OK(dl_replay_check(&p, 3, 9) == DL_DROP_REPLAY,
	       "reordered seq then replayed");
	dl_replay_commit(&p, 3, 100);
	TAP_OK(dl_replay_check(&p, 3, 36) == DL_DROP_REPLAY,
	       "seq older than the window refused");
	TAP_OK(dl_replay_check(&p, 3, 37) == DL_DROP_NONE,
	       "oldest seq in the window accepted");
	TAP_OK(dl_replay_check(&p, 2, 1000) == DL_DROP_OLD_INCARNATION,
	       "older incarnation refused");
	TAP_OK(dl_replay_check(&p, 4, 1) == DL_DROP_NONE,
	       "newer incarnation accepted");
	dl_replay_commit(&p, 4, 1);
	TAP_OK(p.top == 1 && p.window == 1, "newer incarnation resets window");
	TAP_OK(dl_replay_check(&p, 4, 0) == DL_DROP_REPLAY, "seq 0 refused");
}

static void test_ballots(void)
{
	struct dl_ballot a = { 5, 1 }, b = { 5, 2 }, c = { 6, 1 }, n;
	struct dl_lease v1 = { .vseq = 1 }, v2 = { .vseq = 2 };

	TAP_OK(dl_ballot_cmp(&a, &b) < 0 && dl_ballot_cmp(&b, &c) < 0 &&
	       dl_ballot_cmp(&c, &a) > 0 && !dl_ballot_cmp(&a, &a),
	       "ballots order by time then node");
	dl_ballot_next(&n, 100, 3, &c);
	TAP_OK(n.time == 100 && n.node == 3, "ballot from local time");
	dl_ballot_next(&n, 6, 1, &c);
	TAP_OK(dl_ballot_cmp(&n, &c) > 0, "ballot above a higher one seen");
	TAP_OK(dl_value_cmp(&a, &v2, &a, &v1) > 0 &&
	       dl_value_cmp(&a, &v2, &b, &v1) < 0,
	       "values order by ballot then rewrite number");
	TAP_OK(dl_ballot_is_zero(&(struct dl_ballot){ 0 }) &&
	       !dl_ballot_is_zero(&a), "zero ballot");
}

int main(void)
{
	randombytes_buf(key, sizeof(key));
	test_roundtrip();
	test_drops();
	test_replay();
	test_ballots();
	return tap_done();
}
