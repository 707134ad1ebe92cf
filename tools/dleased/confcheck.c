// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-file checks of the configuration. The bounds of the protocol
 * (lease times, margins, membership) are the core's dl_config_check();
 * its messages name the quantity, and this file names the key for it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "confcheck.h"
#include "keyfile.h"

/* which key a word in a message of dl_config_check() is about */
static const struct {
	const char *word;
	const char *section;
	const char *key;
} dld_core_words[] = {
	{ "peer", "peers", NULL },
	{ "node ids", "peers", NULL },
	{ "number of nodes", "peers", NULL },
	{ "node id", "node", "id" },
	{ "max lease", "lease", "max-time" },
	{ "epsilon", "lease", "epsilon" },
	{ "message timeout", "lease", "message-timeout" },
	{ "retry slot", "lease", "retry-slot" },
	{ "max resources", "lease", "max-resources" },
};

#define DLD_N_WORDS	ARRAY_SIZE(dld_core_words)

/* The word that comes first in @why names the key; longer words win ties. */
static int dld_core_check(struct dld_conf *conf)
{
	const char *why, *at, *best_at = NULL;
	struct dl_config cfg;
	size_t i, best = 0;

	dld_conf_core(conf, &cfg);
	if (!dl_config_check(&cfg, &why))
		return 0;
	for (i = 0; i < DLD_N_WORDS; i++) {
		at = strstr(why, dld_core_words[i].word);
		if (at && (!best_at || at < best_at ||
			   (at == best_at && strlen(dld_core_words[i].word) >
			    strlen(dld_core_words[best].word)))) {
			best_at = at;
			best = i;
		}
	}
	if (best_at)
		dld_conf_error(conf, dld_core_words[best].section,
			       dld_core_words[best].key, why);
	else
		dld_conf_error(conf, "lease", NULL, why);
	return -EINVAL;
}

/* Our own entry in [peers] is allowed (one list for every node). */
static int dld_conf_self(struct dld_conf *conf)
{
	uint32_t i;

	for (i = 0; i < conf->n_peers; i++) {
		if (conf->peers[i].id != conf->node_id)
			continue;
		if (!conf->n_listen)
			conf->listen[conf->n_listen++] = conf->peers[i].addr;
		conf->n_peers--;
		memmove(&conf->peers[i], &conf->peers[i + 1],
			(conf->n_peers - i) * sizeof(conf->peers[0]));
		break;
	}
	if (!conf->n_listen) {
		dld_conf_error(conf, "node", "listen",
			       "missing (and [peers] has no entry for this node)");
		return -EINVAL;
	}
	if (conf->n_peers >= DL_MAX_NODES) {
		dld_conf_error(conf, "peers", NULL,
			       "more than 32 nodes with this one");
		return -EINVAL;
	}
	return 0;
}

static int dld_conf_families(const struct dld_conf *conf)
{
	char id[16];
	uint32_t i, j;
	int err = 0;

	for (i = 0; i < conf->n_peers; i++) {
		for (j = 0; j < conf->n_listen; j++)
			if (conf->listen[j].ss.ss_family ==
			    conf->peers[i].addr.ss.ss_family)
				break;
		if (j < conf->n_listen)
			continue;
		snprintf(id, sizeof(id), "%u", conf->peers[i].id);
		dld_conf_error(conf, "peers", id,
			       "no listen address of its address family");
		err = -EINVAL;
	}
	return err;
}

static int dld_conf_files(struct dld_conf *conf)
{
	char why[PATH_MAX + 128];
	const char *reason;
	struct stat st;
	int err;

	err = dld_key_load(conf->key_file, conf->key, &reason);
	if (err) {
		snprintf(why, sizeof(why), "%s: %s", conf->key_file, reason);
		dld_conf_error(conf, "node", "key-file", why);
		return err;
	}
	reason = NULL;
	if (stat(conf->state_dir, &st))
		reason = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		reason = "not a directory";
	if (!reason)
		return 0;
	snprintf(why, sizeof(why), "%s: %s", conf->state_dir, reason);
	dld_conf_error(conf, "node", "state-directory", why);
	return -EINVAL;
}

/**
 * dld_conf_check() - checks across keys, once every value is valid
 * @conf: configuration; our own [peers] entry is removed from the peers
 *	and becomes the listen address if none is set
 *
 * Return: 0 or -EINVAL (each problem printed), -EPERM for a key file
 * that others may read.
 */
int dld_conf_check(struct dld_conf *conf)
{
	static const char *const required[][2] = {
		{ "node", "id" }, { "node", "cluster" }, { "node", "key-file" },
	};
	int err = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (dld_conf_key_set(conf, required[i][0], required[i][1]))
			continue;
		dld_conf_error(conf, required[i][0], required[i][1],
			       "missing");
		err = -EINVAL;
	}
	if (err)
		return err;
	err = dld_conf_self(conf);
	if (!err)
		err = dld_conf_families(conf);
	if (!err)
		err = dld_core_check(conf);
	if (!err)
		err = dld_conf_files(conf);
	return err;
}
