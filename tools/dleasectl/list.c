// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl list [--json] [NAME]: every lease and queued request (of one
 * name), from a consistent netlink dump.
 */
#include <errno.h>
#include <stdlib.h>

#include "dleasectl.h"

static const char usage[] = "usage: dleasectl list [--json] [NAME]\n";

static int print_table(const struct dlease_nl_lease *v, size_t n)
{
	char tok[21], pid[21], ses[21], id[21], pos[21];
	char ttl[DLEASE_DURATION_MAX], left[DLEASE_DURATION_MAX];
	char waited[DLEASE_DURATION_MAX], held[DLEASE_DURATION_MAX];
	struct table t;

	table_new(&t, 12, "NAME", "MODE", "STATE", "PID", "COMM", "TOKEN",
		  "TTL", "LEFT", "HELD", "WAITED", "QUEUE", "SESSION/ID");
	for (size_t i = 0; i < n; i++) {
		const struct dlease_nl_lease *l = &v[i];
		bool waiting = l->state == DLEASE_STATE_WAITING;
		char sid[44];

		snprintf(sid, sizeof(sid), "%s/%s", fmt_u64(l->session, ses),
			 fmt_u64(l->id, id));
		snprintf(pos, sizeof(pos), "%s%u", waiting ? "#" : "",
			 waiting ? l->position + 1 : l->waiters);
		if (table_add(&t, l->name, dlease_mode_name(l->mode),
			      dlease_state_name(l->state), fmt_u64(l->pid, pid),
			      l->comm, waiting ? "-" : fmt_u64(l->token, tok),
			      fmt_duration(l->ttl_ns, ttl),
			      waiting ? "-" : fmt_duration(l->time_left_ns, left),
			      waiting ? "-" : fmt_duration(l->held_for_ns, held),
			      fmt_duration(l->waited_ns, waited), pos, sid))
			return fail(-ENOMEM, "list");
	}
	table_print(&t, stdout);
	return 0;
}

/**
 * print_leases() - leases as a table or as one JSON array
 * @v: the leases
 * @n: how many
 * @json: JSON
 *
 * Return: 0 or an exit code.
 */
int print_leases(const struct dlease_nl_lease *v, size_t n, bool json)
{
	struct json_object *a;

	if (!json)
		return print_table(v, n);
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_lease(&v[i]));
	json_print(a);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct dlease_nl_lease *v = NULL;
	const char *name = NULL;
	struct dlease_nl *nl;
	bool json = false;
	int rc, first, err;
	size_t n = 0;

	rc = parse_json_num(argc, argv, usage, NULL, &json, &first);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (first < argc)
		name = argv[first++];
	if (first < argc)
		return usage_error("unexpected argument '%s'", argv[first]);
	rc = nl_open_or_fail(&nl);
	if (rc)
		return rc;
	err = dlease_nl_leases(nl, name, &v, &n);
	rc = err ? nl_fail(nl, err, "list") : print_leases(v, n, json);
	free(v);
	dlease_nl_close(nl);
	return rc;
}
