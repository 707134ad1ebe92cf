/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop of dleased: plain epoll. Each file descriptor has a
 * struct dld_watch embedded in its owner, found back with container_of().
 */
#ifndef DLEASED_LOOP_H
#define DLEASED_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/**
 * struct dld_watch - a file descriptor in the loop
 * @fd: the descriptor
 * @fn: called with the epoll events when it is ready
 */
struct dld_watch {
	int fd;
	void (*fn)(struct dld_watch *w, uint32_t events);
};

/**
 * struct dld_loop - an epoll instance
 * @epfd: its descriptor
 */
struct dld_loop {
	int epfd;
};

int dld_loop_init(struct dld_loop *loop);
void dld_loop_fini(struct dld_loop *loop);
int dld_loop_add(struct dld_loop *loop, struct dld_watch *w, int fd,
		 void (*fn)(struct dld_watch *w, uint32_t events),
		 uint32_t events);
int dld_loop_mod(struct dld_loop *loop, struct dld_watch *w, uint32_t events);
void dld_loop_del(struct dld_loop *loop, struct dld_watch *w);
int dld_loop_wait(struct dld_loop *loop);

#endif /* DLEASED_LOOP_H */
