// SPDX-License-Identifier: GPL-2.0
/*
 * Datagrams between daemons: the core's messages sealed by the wire codec
 * and sent with sendto(); received packets authenticated, checked for
 * replay and decoded, then given to the core. Drops are counted by reason
 * in struct dl_wire (codec) and struct dl_core_stats (core).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon.h"
#include "log.h"

/**
 * dld_packet_send() - seal a message and send it to a member
 * @d: daemon
 * @node: destination node id (never ourselves: the core loops those)
 * @msg: the message
 * @now: protocol time
 *
 * A datagram that cannot be sent is lost, which the protocol tolerates;
 * it is counted in the peer's send errors.
 */
void dld_packet_send(struct dld_daemon *d, uint32_t node,
		     const struct dl_msg *msg, uint64_t now)
{
	struct dld_peer *p = dld_daemon_peer(d, node);
	uint8_t buf[DL_WIRE_MAX_LEN];
	int len;

	if (!p)
		return;
	len = dl_wire_seal(&d->wire, msg, buf, sizeof(buf));
	if (len < 0) {
		dld_err("cannot encode a message for node %u: %s", node,
			strerror(-len));
		p->send_errors++;
		return;
	}
	if (sendto(p->fd, buf, (size_t)len, 0,
		   (const struct sockaddr *)&p->addr.ss, p->addr.len) < 0) {
		if (!p->send_errors++)
			dld_warn("send to node %u: %s", node, strerror(errno));
		return;
	}
	dld_peer_sent(p, msg, now);
}

static void dld_packet_one(struct dld_daemon *d, const uint8_t *buf,
			   size_t len)
{
	uint64_t now = dld_clock_now(&d->clock);
	struct dld_peer *p;
	enum dl_drop why;
	struct dl_msg msg;
	uint32_t from;

	why = dl_wire_open(&d->wire, buf, len, &from, &msg);
	if (why != DL_DROP_NONE) {
		dld_debug("dropped a packet: %s", dl_drop_name(why));
		return;
	}
	p = dld_daemon_peer(d, from);
	if (p)
		dld_peer_heard(p, &msg, d->conf->node_id, now);
	dld_daemon_flush(d, dl_core_receive(d->core, now, from, &msg));
}

/**
 * dld_packet_ready() - read every datagram waiting on a UDP socket
 * @w: the socket's watch
 * @events: epoll events
 */
void dld_packet_ready(struct dld_watch *w, uint32_t events)
{
	struct dld_udp_watch *uw = container_of(w, struct dld_udp_watch,
						watch);
	uint8_t buf[DL_WIRE_MAX_LEN + 1];
	ssize_t n;

	for (;;) {
		n = recv(w->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				dld_warn("receive: %s", strerror(errno));
			if (errno != EINTR)
				return;
			continue;
		}
		/* a truncated datagram reaches the codec as oversize */
		dld_packet_one(uw->d, buf, (size_t)n < sizeof(buf) ?
			       (size_t)n : sizeof(buf));
		if (uw->d->stopping)
			return;
	}
}
