// SPDX-License-Identifier: GPL-2.0
/*
 * epoll plumbing. Timers (timerfd) and signals (signalfd) are descriptors
 * like the sockets, so one epoll_wait() without a timeout is the only
 * place the daemon sleeps.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

#define DLD_LOOP_EVENTS	16

/**
 * dld_loop_init() - create the epoll instance
 * @loop: loop
 *
 * Return: 0 or a negative errno.
 */
int dld_loop_init(struct dld_loop *loop)
{
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

/**
 * dld_loop_fini() - close the epoll instance
 * @loop: loop
 */
void dld_loop_fini(struct dld_loop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}

/**
 * dld_loop_add() - watch a descriptor
 * @loop: loop
 * @w: watch, embedded in the owner, valid until dld_loop_del()
 * @fd: descriptor
 * @fn: handler
 * @events: EPOLLIN, EPOLLOUT, ...
 *
 * Return: 0 or a negative errno.
 */
int dld_loop_add(struct dld_loop *loop, struct dld_watch *w, int fd,
		 void (*fn)(struct dld_watch *w, uint32_t events),
		 uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = fd;
	w->fn = fn;
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/**
 * dld_loop_mod() - change the events of a watched descriptor
 * @loop: loop
 * @w: watch
 * @events: new event mask
 *
 * Return: 0 or a negative errno.
 */
int dld_loop_mod(struct dld_loop *loop, struct dld_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) ? -errno : 0;
}

/**
 * dld_loop_del() - stop watching a descriptor (it is not closed)
 * @loop: loop
 * @w: watch
 */
void dld_loop_del(struct dld_loop *loop, struct dld_watch *w)
{
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

/**
 * dld_loop_wait() - sleep until descriptors are ready, run their handlers
 * @loop: loop
 *
 * A handler may delete its own watch but no other one of the batch.
 *
 * Return: 0 or a negative errno (EINTR is not an error).
 */
int dld_loop_wait(struct dld_loop *loop)
{
	struct epoll_event ev[DLD_LOOP_EVENTS];
	struct dld_watch *w;
	int i, n;

	n = epoll_wait(loop->epfd, ev, DLD_LOOP_EVENTS, -1);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		w = ev[i].data.ptr;
		w->fn(w, ev[i].events);
	}
	return 0;
}
