/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of dleased.conf that involve several keys, the key file, the
 * state directory and the protocol core's bounds.
 */
#ifndef DLEASED_CONFCHECK_H
#define DLEASED_CONFCHECK_H

#include "conffile.h"

int dld_conf_check(struct dld_conf *conf);

#endif /* DLEASED_CONFCHECK_H */
