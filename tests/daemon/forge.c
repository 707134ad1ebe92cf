// SPDX-License-Identifier: GPL-2.0
/*
 * dleased-forge: send a daemon packets it must drop, to test that they
 * are dropped and counted. It seals one PREPARE with the given key,
 * cluster, sender, incarnation and sequence number and sends it COUNT
 * times (copies after the first are replays), or sends junk.
 *
 *   dleased-forge IPV4:PORT KEYFILE CLUSTER SENDER INCARNATION SEQ COUNT
 *   dleased-forge IPV4:PORT junk
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

static int forge_target(const char *str, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(str, ':');

	if (!colon || colon - str >= (int)sizeof(host))
		return -1;
	memcpy(host, str, colon - str);
	host[colon - str] = '\0';
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int forge_key(const char *path, uint8_t *key)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(key, 1, DL_WIRE_KEY_LEN, f);
	fclose(f);
	return n == DL_WIRE_KEY_LEN ? 0 : -1;
}

static int forge_seal(char **argv, uint8_t *buf, size_t cap)
{
	struct dl_msg msg = { .type = DL_MSG_PREPARE, .name_len = 6 };
	uint8_t key[DL_WIRE_KEY_LEN];
	uint32_t sender = (uint32_t)strtoul(argv[4], NULL, 0);
	uint32_t nodes[2] = { sender, sender + 1 };
	struct timespec ts;
	struct dl_wire w;

	if (forge_key(argv[2], key))
		return -1;
	if (dl_wire_init(&w, key, (uint32_t)strtoul(argv[3], NULL, 0), sender,
			 strtoull(argv[5], NULL, 0), nodes, 2))
		return -1;
	w.next_seq = strtoull(argv[6], NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	memcpy(msg.name, "forged", 6);
	msg.ballot.time = (uint64_t)ts.tv_sec * 1000000000ull;
	msg.ballot.node = sender;
	msg.sent_at = msg.ballot.time + (uint64_t)ts.tv_nsec;
	return dl_wire_seal(&w, &msg, buf, cap);
}

int main(int argc, char **argv)
{
	uint8_t buf[DL_WIRE_MAX_LEN] = "junk";
	struct sockaddr_in sin = { 0 };
	int fd, len = 4, count = 1, i;

	if ((argc != 8 && argc != 3) || forge_target(argv[1], &sin)) {
		fprintf(stderr, "usage: dleased-forge IPV4:PORT KEYFILE CLUSTER SENDER INCARNATION SEQ COUNT\n"
			"       dleased-forge IPV4:PORT junk\n");
		return 64;
	}
	if (argc == 8) {
		len = forge_seal(argv, buf, sizeof(buf));
		count = atoi(argv[7]);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (len < 0 || fd < 0) {
		perror("dleased-forge");
		return 1;
	}
	for (i = 0; i < count; i++)
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sin,
			   sizeof(sin)) != len)
			perror("sendto");
	close(fd);
	return 0;
}
