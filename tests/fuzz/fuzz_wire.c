// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the packet decoder. Every input is
 *  1. parsed structurally (what an attacker reaches before the MAC),
 *  2. opened with the real key (almost always "bad MAC"; the corpus
 *     holds correctly sealed packets so mutations near them hit the
 *     later checks too),
 *  3. when it parses, re-sealed and opened again: the codec must
 *     round-trip whatever it accepted, and the result fed to a core.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "wire.h"

/* the key the seed corpus was sealed with: 32 bytes of 0x42 */
static const uint8_t fuzz_key[DL_WIRE_KEY_LEN] = {
	[0 ... DL_WIRE_KEY_LEN - 1] = 0x42,
};
static const uint32_t fuzz_nodes[] = { 1, 2, 3 };

static void fuzz_core(uint32_t from, const struct dl_msg *msg)
{
	struct dl_config cfg = {
		.self = 1, .n_nodes = 3, .nodes = { 1, 2, 3 },
		.max_lease_ns = 1000000000, .epsilon_ns = 1000000,
		.msg_timeout_ns = 10000000, .retry_slot_ns = 10000000,
		.token_block = 16, .max_resources = 4,
	};
	struct dl_core *core = dl_core_create(&cfg, 0, 1);
	struct dl_output out;

	if (!core)
		return;
	/* after the restart silence, so the acceptor answers */
	dl_core_receive(core, 2000000000, from, msg);
	dl_core_tick(core, 2100000000);
	while (dl_core_pop(core, &out))
		;
	dl_core_destroy(core);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[DL_WIRE_MAX_LEN];
	struct dl_wire rx, tx;
	struct dl_wire_hdr hdr;
	struct dl_msg msg, again;
	uint32_t from;
	int len;

	dl_wire_init(&rx, fuzz_key, 7, 1, 0, fuzz_nodes, 3);
	if (dl_wire_open(&rx, data, size, &from, &msg) == DL_DROP_NONE)
		fuzz_core(from, &msg);
	if (dl_wire_parse(data, size, &hdr, &msg) != DL_DROP_NONE)
		return 0;
	dl_wire_init(&tx, fuzz_key, 7, 2, 1, fuzz_nodes, 3);
	len = dl_wire_seal(&tx, &msg, buf, sizeof(buf));
	if (len != (int)size)
		abort();
	dl_wire_init(&rx, fuzz_key, 7, 1, 0, fuzz_nodes, 3);
	if (dl_wire_open(&rx, buf, (size_t)len, &from, &again) != DL_DROP_NONE ||
	    memcmp(&msg, &again, sizeof(msg)))
		abort();
	fuzz_core(from, &again);
	return 0;
}
