// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of fuzz_wire: one sealed packet per message
 * type (key 0x42..., cluster 7, sender 2), plus a few broken ones.
 * Usage: gen_corpus DIR
 */
#include <stdio.h>
#include <string.h>

#include "wire.h"

static void put(const char *dir, const char *name, const uint8_t *p,
		size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		return;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	static const uint32_t nodes[] = { 1, 2, 3 };
	uint8_t key[DL_WIRE_KEY_LEN], buf[DL_WIRE_MAX_LEN];
	struct dl_wire tx;
	struct dl_msg m;
	char name[64];
	int t, len = 0;

	if (argc != 2)
		return 2;
	memset(key, 0x42, sizeof(key));
	dl_wire_init(&tx, key, 7, 2, 1, nodes, 3);
	for (t = DL_MSG_PREPARE; t <= DL_MSG_MAX; t++) {
		memset(&m, 0, sizeof(m));
		m.type = (uint8_t)t;
		m.name_len = 10;
		memcpy(m.name, "db/primary", 10);
		m.ballot = (struct dl_ballot){ 1999000000, 2 };
		m.sent_at = 1999000000;
		m.lease = (struct dl_lease){ 2, 1, 5, 2500000000, 0 };
		m.accepted = (struct dl_ballot){ 1500000000, 3 };
		m.floor = 4;
		m.position = 1;
		m.waiters = 2;
		len = dl_wire_seal(&tx, &m, buf, sizeof(buf));
		snprintf(name, sizeof(name), "type-%d", t);
		put(argv[1], name, buf, (size_t)len);
	}
	m.name_len = DL_NAME_MAX;
	memset(m.name, 'x', DL_NAME_MAX);
	len = dl_wire_seal(&tx, &m, buf, sizeof(buf));
	put(argv[1], "longest-name", buf, (size_t)len);
	put(argv[1], "truncated", buf, 40);
	buf[0] = 'X';
	put(argv[1], "bad-magic", buf, (size_t)len);
	return 0;
}
