// SPDX-License-Identifier: GPL-2.0
/*
 * Reading dleased.conf with libinih. Every key is checked as it is read;
 * what depends on several keys is checked afterwards (confcheck.c). Each
 * problem is printed with the section and key it is about, and all of
 * them are printed, not just the first.
 */
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confcheck.h"
#include "conffile.h"
#include "log.h"

#define DLD_MSEC		1000000ull
#define DLD_MAX_RESOURCES	(1u << 20)

enum dld_key_type {
	DLD_KEY_ID,
	DLD_KEY_COUNT,
	DLD_KEY_DURATION,
	DLD_KEY_PATH,
	DLD_KEY_LEVEL,
	DLD_KEY_LISTEN,
	DLD_KEY_BRIDGE,
};

struct dld_key {
	const char *section;
	const char *name;
	enum dld_key_type type;
	size_t off;
	size_t size;
};

#define DLD_KEY(sec, key, type, field)					\
	{ sec, key, type, offsetof(struct dld_conf, field),		\
	  sizeof(((struct dld_conf *)0)->field) }

static const struct dld_key dld_keys[] = {
	DLD_KEY("node", "id", DLD_KEY_ID, node_id),
	DLD_KEY("node", "cluster", DLD_KEY_ID, cluster_id),
	DLD_KEY("node", "listen", DLD_KEY_LISTEN, listen),
	DLD_KEY("node", "key-file", DLD_KEY_PATH, key_file),
	DLD_KEY("node", "state-directory", DLD_KEY_PATH, state_dir),
	DLD_KEY("node", "control-socket", DLD_KEY_PATH, control_socket),
	DLD_KEY("node", "log-level", DLD_KEY_LEVEL, log_level),
	DLD_KEY("node", "kernel-bridge", DLD_KEY_BRIDGE, kernel_bridge),
	DLD_KEY("lease", "max-time", DLD_KEY_DURATION, max_lease_ns),
	DLD_KEY("lease", "epsilon", DLD_KEY_DURATION, epsilon_ns),
	DLD_KEY("lease", "message-timeout", DLD_KEY_DURATION, msg_timeout_ns),
	DLD_KEY("lease", "retry-slot", DLD_KEY_DURATION, retry_slot_ns),
	DLD_KEY("lease", "max-resources", DLD_KEY_COUNT, max_resources),
};

#define DLD_N_KEYS	ARRAY_SIZE(dld_keys)

/* parse state: the configuration and the problems found so far */
struct dld_parse {
	struct dld_conf *conf;
	unsigned int errors;
};

static int dld_parse_u64(const char *s, uint64_t max, uint64_t *v,
			 const char **end)
{
	char *tail;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &tail, 10);
	if (errno || *v > max)
		return -ERANGE;
	*end = tail;
	return 0;
}

static const char *dld_parse_number(const char *s, uint64_t min,
				    uint64_t max, uint64_t *v)
{
	const char *end;

	if (dld_parse_u64(s, max, v, &end) || *end || *v < min)
		return min ? "expected a number 1..1048576" :
			     "expected a number 0..4294967295";
	return NULL;
}

static const char *dld_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", DLD_MSEC },
		{ "s", 1000 * DLD_MSEC }, { "m", 60000 * DLD_MSEC },
		{ "h", 3600000 * DLD_MSEC },
	};
	const char *end;
	uint64_t n;
	size_t i;

	if (dld_parse_u64(s, UINT32_MAX, &n, &end))
		return "expected a duration such as 500ms or 2s";
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (!strcmp(end, units[i].name)) {
			*ns = n * units[i].ns;
			return NULL;
		}
	}
	return "expected a duration such as 500ms or 2s (units ns us ms s m h)";
}

static const char *dld_parse_listen(struct dld_conf *conf, const char *value)
{
	char buf[2 * DLD_ADDR_STRLEN], *tok, *save;
	struct dld_addr *a;
	const char *why;

	if (snprintf(buf, sizeof(buf), "%s", value) >= (int)sizeof(buf))
		return "too long";
	conf->n_listen = 0;
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (conf->n_listen == DLD_MAX_LISTEN)
			return "at most one IPv4 and one IPv6 address";
		a = &conf->listen[conf->n_listen];
		if (dld_addr_parse(tok, a, &why))
			return why;
		if (conf->n_listen &&
		    conf->listen[0].ss.ss_family == a->ss.ss_family)
			return "at most one IPv4 and one IPv6 address";
		conf->n_listen++;
	}
	return conf->n_listen ? NULL : "expected IPV4:PORT or [IPV6]:PORT";
}

static const char *dld_parse_bridge(const char *value, int *mode)
{
	static const char *const names[] = {
		[DLD_KBRIDGE_AUTO] = "auto", [DLD_KBRIDGE_YES] = "yes",
		[DLD_KBRIDGE_NO] = "no",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(value, names[i])) {
			*mode = (int)i;
			return NULL;
		}
	}
	return "expected auto, yes or no";
}

static const char *dld_parse_value(struct dld_conf *conf,
				   const struct dld_key *k, const char *value)
{
	void *field = (char *)conf + k->off;
	uint64_t v;
	const char *why;

	switch (k->type) {
	case DLD_KEY_ID:
	case DLD_KEY_COUNT:
		why = k->type == DLD_KEY_ID ?
		      dld_parse_number(value, 0, UINT32_MAX, &v) :
		      dld_parse_number(value, 1, DLD_MAX_RESOURCES, &v);
		if (!why)
			*(uint32_t *)field = (uint32_t)v;
		return why;
	case DLD_KEY_DURATION:
		return dld_parse_duration(value, field);
	case DLD_KEY_PATH:
		if (value[0] != '/')
			return "must be an absolute path";
		if (strlen(value) >= k->size)
			return "path too long";
		strcpy(field, value);
		return NULL;
	case DLD_KEY_LEVEL:
		*(int *)field = dld_log_level_parse(value);
		return *(int *)field < 0 ?
		       "expected err, warning, notice, info or debug" : NULL;
	case DLD_KEY_LISTEN:
		return dld_parse_listen(conf, value);
	case DLD_KEY_BRIDGE:
		return dld_parse_bridge(value, field);
	}
	return "unknown key";
}

static const char *dld_parse_peer(struct dld_conf *conf, const char *name,
				  const char *value)
{
	struct dld_peer_conf *p;
	const char *why;
	uint64_t id;

	if (dld_parse_number(name, 0, UINT32_MAX, &id))
		return "the key of a peer must be its node id";
	if (conf->n_peers == DL_MAX_NODES)
		return "more than 32 nodes";
	p = &conf->peers[conf->n_peers];
	p->id = (uint32_t)id;
	if (dld_addr_parse(value, &p->addr, &why))
		return why;
	conf->n_peers++;
	return NULL;
}

/**
 * dld_conf_error() - report a problem with one key
 * @conf: configuration being read
 * @section: section name
 * @key: key name, NULL for the section as a whole
 * @why: what is wrong
 */
void dld_conf_error(const struct dld_conf *conf, const char *section,
		    const char *key, const char *why)
{
	dld_err("%s: [%s]%s%s: %s", conf->path, section, key ? " " : "",
		key ? key : "", why);
}

static int dld_conf_handler(void *user, const char *section,
			    const char *name, const char *value)
{
	struct dld_parse *p = user;
	const char *why = "unknown key";
	size_t i;

	if (!strcmp(section, "peers")) {
		why = dld_parse_peer(p->conf, name, value);
		goto done;
	}
	for (i = 0; i < DLD_N_KEYS; i++) {
		if (strcmp(dld_keys[i].section, section))
			continue;
		why = "unknown key";
		if (strcmp(dld_keys[i].name, name))
			continue;
		if (p->conf->seen & (1u << i)) {
			why = "set more than once";
			goto done;
		}
		p->conf->seen |= 1u << i;
		why = dld_parse_value(p->conf, &dld_keys[i], value);
		goto done;
	}
	if (strcmp(section, "node") && strcmp(section, "lease"))
		why = "unknown section";
done:
	if (why) {
		dld_conf_error(p->conf, section, name, why);
		p->errors++;
	}
	return 1;
}

/**
 * dld_conf_key_set() - was a key given in the file?
 * @conf: configuration
 * @section: section name
 * @key: key name
 *
 * Return: true if the file set it.
 */
bool dld_conf_key_set(const struct dld_conf *conf, const char *section,
		      const char *key)
{
	size_t i;

	for (i = 0; i < DLD_N_KEYS; i++)
		if (!strcmp(dld_keys[i].section, section) &&
		    !strcmp(dld_keys[i].name, key))
			return conf->seen & (1u << i);
	return false;
}

static void dld_conf_defaults(struct dld_conf *conf, const char *path)
{
	memset(conf, 0, sizeof(*conf));
	conf->path = path;
	strcpy(conf->state_dir, "/var/lib/dleased");
	strcpy(conf->control_socket, "/run/dleased/control");
	conf->log_level = LOG_INFO;
	conf->max_lease_ns = 30000 * DLD_MSEC;
	conf->epsilon_ns = 500 * DLD_MSEC;
	conf->msg_timeout_ns = 200 * DLD_MSEC;
	conf->max_resources = 4096;
}

/**
 * dld_conf_load() - read, check and complete the configuration
 * @path: file name
 * @conf: the result
 *
 * Prints every problem found, naming its section and key: all bad values
 * first; the checks across keys and the cluster key run once every value
 * is valid on its own.
 *
 * Return: 0; -ENOENT (or another errno) if the file cannot be read;
 * -EINVAL if it has problems.
 */
int dld_conf_load(const char *path, struct dld_conf *conf)
{
	struct dld_parse p = { .conf = conf };
	FILE *f;
	int line;

	dld_conf_defaults(conf, path);
	f = fopen(path, "re");
	if (!f) {
		line = -errno;
		dld_err("%s: %s", path, strerror(errno));
		return line;
	}
	line = ini_parse_file(f, dld_conf_handler, &p);
	fclose(f);
	if (line > 0) {
		dld_err("%s:%d: syntax error (expected [section] or key = value)",
			path, line);
		return -EINVAL;
	}
	if (line < 0) {
		dld_err("%s: out of memory", path);
		return -ENOMEM;
	}
	if (!dld_conf_key_set(conf, "lease", "retry-slot"))
		conf->retry_slot_ns = 2 * conf->msg_timeout_ns;
	if (p.errors)
		return -EINVAL;
	return dld_conf_check(conf);
}

/**
 * dld_conf_core() - the protocol core's view of the configuration
 * @conf: checked daemon configuration
 * @cfg: filled in; token_hwm is left 0 for the caller (state file)
 */
void dld_conf_core(const struct dld_conf *conf, struct dl_config *cfg)
{
	uint32_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->self = conf->node_id;
	cfg->nodes[cfg->n_nodes++] = conf->node_id;
	for (i = 0; i < conf->n_peers && cfg->n_nodes < DL_MAX_NODES; i++)
		cfg->nodes[cfg->n_nodes++] = conf->peers[i].id;
	cfg->max_lease_ns = conf->max_lease_ns;
	cfg->epsilon_ns = conf->epsilon_ns;
	cfg->msg_timeout_ns = conf->msg_timeout_ns;
	cfg->retry_slot_ns = conf->retry_slot_ns;
	cfg->token_block = DLD_TOKEN_BLOCK;
	cfg->max_resources = conf->max_resources;
}
