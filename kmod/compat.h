/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels dlease builds on, and nothing else.
 * Each DLEASE_HAVE_* macro comes from a feature probe in kmod/Kbuild.
 */
#ifndef _DLEASE_COMPAT_H
#define _DLEASE_COMPAT_H

#include <linux/hrtimer.h>
#include <net/genetlink.h>

/* hrtimer_setup() replaced hrtimer_init() + .function in 6.13. */
static inline void dlease_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#ifdef DLEASE_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/* The parsed attributes of a dump request: genl_info_dump() since 6.6. */
static inline struct nlattr **dlease_dump_attrs(struct netlink_callback *cb)
{
#ifdef DLEASE_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _DLEASE_COMPAT_H */
