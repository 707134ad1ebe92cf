// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl cluster [--socket PATH] [--json]: the status of the cluster
 * daemon dleased, read from its control socket ("status", dleased(8)):
 * this node, its peers with their reachability and last RTT, lease
 * counts, protocol counters, packets dropped by reason, and the kernel
 * bridge.
 */
#include <errno.h>
#include <stdio.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dleasectl.h"

/* the default control-socket of dleased.conf(5) */
#define DEFAULT_CONTROL_SOCKET	"/run/dleased/control"
#define STATUS_MAX		(256 * 1024)
#define STATUS_TIMEOUT_MS	5000

static const char usage[] =
	"usage: dleasectl cluster [--socket PATH] [--json]\n";

/* Reads the report up to its "end" line; 0 or a negative errno. */
static int read_status(int fd, char *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	for (;;) {
		buf[len] = 0;
		if (!strncmp(buf, "end\n", 4) || strstr(buf, "\nend\n"))
			return 0;
		if (len == size - 1)
			return -EMSGSIZE;
		n = poll(&p, 1, STATUS_TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ETIMEDOUT;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		len += (size_t)n;
	}
}

static int fetch_status(const char *path, char *buf, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static const char req[] = "status\n";
	int fd, err = 0;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    write(fd, req, sizeof(req) - 1) != sizeof(req) - 1)
		err = -errno;
	if (!err)
		err = read_status(fd, buf, size);
	close(fd);
	return err;
}

/* A field's value: a number if it is one, else a string. */
static struct json_object *json_value(const char *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v >= '0' && *v <= '9' && !*end && !errno)
		return json_object_new_uint64(n);
	return json_object_new_string(v);
}

/* "topic k=v k=v..." into @o: the words after the topic. */
static void json_fields(struct json_object *o, char *rest)
{
	char *save, *w, *eq;

	for (w = strtok_r(rest, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		eq = strchr(w, '=');
		if (!eq)
			continue;
		*eq = 0;
		json_object_object_add(o, w, json_value(eq + 1));
	}
}

static int print_json(char *text)
{
	struct json_object *top = json_object_new_object();
	struct json_object *peers = json_object_new_array();
	char *save, *line, *sp, *topic;
	struct json_object *o;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "end"))
			break;
		topic = line;
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		o = json_object_new_object();
		json_fields(o, sp + 1);
		if (!strcmp(topic, "peer"))
			json_object_array_add(peers, o);
		else
			json_object_object_add(top, topic, o);
	}
	json_object_object_add(top, "peers", peers);
	json_print(top);
	return 0;
}

/* The value of @key in a line of fields, copied to @buf ("-" if none). */
static const char *field(const char *line, const char *key, char *buf,
			 size_t size)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			snprintf(buf, size, "%.*s", (int)strcspn(p, "\n "), p);
			return buf;
		}
		p += klen;
	}
	snprintf(buf, size, "-");
	return buf;
}

static int print_peers(char *text)
{
	static const char *const keys[] = {
		"id", "address", "state", "last-heard-ms", "rtt-us", "sent",
		"received", "send-errors",
	};
	char v[8][64], *line, *save;
	struct table t;
	size_t i;
	int err = 0;

	table_new(&t, 8, "PEER", "ADDRESS", "STATE", "HEARD(ms)", "RTT(us)",
		  "SENT", "RECEIVED", "SEND-ERRORS");
	for (line = strtok_r(text, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "peer ", 5))
			continue;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			field(line, keys[i], v[i], sizeof(v[i]));
		err = table_add(&t, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
				v[7]);
	}
	table_print(&t, stdout);
	return err;
}

/* Everything but the peers: "topic: key value, key value". */
static void print_others(char *text)
{
	char *save, *wsave, *line, *w, *eq;
	const char *sep;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "end"))
			break;
		w = strtok_r(line, " ", &wsave);
		if (!w || !strcmp(w, "peer"))
			continue;
		printf("%s:", w);
		sep = " ";
		while ((w = strtok_r(NULL, " ", &wsave))) {
			eq = strchr(w, '=');
			if (eq)
				*eq = ' ';
			printf("%s%s", sep, w);
			sep = ", ";
		}
		putchar('\n');
	}
}

static int print_human(char *text)
{
	char *copy = strdup(text);
	int err;

	if (!copy)
		return -ENOMEM;
	err = print_peers(copy);
	free(copy);
	if (!err)
		print_others(text);
	return err;
}

int cmd_cluster(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONTROL_SOCKET;
	bool json = false;
	char *text;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (c == 's') {
			path = optarg;
		} else if (c == 'j') {
			json = true;
		} else {
			fputs(usage, stderr);
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return usage_error("unexpected argument '%s'", argv[optind]);
	}
	text = malloc(STATUS_MAX);
	if (!text)
		return fail(-ENOMEM, "status");
	err = fetch_status(path, text, STATUS_MAX);
	if (err) {
		free(text);
		fprintf(stderr, "%s: %s: %s (is dleased running?)\n", prog,
			path, strerror(-err));
		return EX_UNAVAILABLE;
	}
	err = json ? print_json(text) : print_human(text);
	free(text);
	return err ? fail(err, "status") : 0;
}
