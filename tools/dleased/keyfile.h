/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared cluster key: a file of exactly DL_WIRE_KEY_LEN random bytes,
 * readable by its owner only.
 */
#ifndef DLEASED_KEYFILE_H
#define DLEASED_KEYFILE_H

#include <stdint.h>

#include "wire.h"

int dld_key_load(const char *path, uint8_t key[DL_WIRE_KEY_LEN],
		 const char **why);

#endif /* DLEASED_KEYFILE_H */
