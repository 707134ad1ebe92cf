// SPDX-License-Identifier: GPL-2.0
/*
 * dleasectl show [--json] NAME: the holders and the queue of one
 * resource, in detail.  Exits EX_NOINPUT if nobody holds or waits for it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dleasectl.h"

static const char usage[] = "usage: dleasectl show [--json] NAME\n";

static void show_one(const struct dlease_nl_lease *l)
{
	char a[DLEASE_DURATION_MAX], b[DLEASE_DURATION_MAX];

	printf("  %s lease %llu/%llu, pid %u (%s)\n",
	       dlease_state_name(l->state), (unsigned long long)l->session,
	       (unsigned long long)l->id, l->pid, l->comm);
	if (l->state == DLEASE_STATE_WAITING) {
		printf("    %s, position %u in the queue, waiting for %s\n",
		       dlease_mode_name(l->mode), l->position + 1,
		       fmt_duration(l->waited_ns, a));
		return;
	}
	printf("    %s, token %llu, held for %s (waited %s)\n",
	       dlease_mode_name(l->mode), (unsigned long long)l->token,
	       fmt_duration(l->held_for_ns, a), fmt_duration(l->waited_ns, b));
	printf("    TTL %s, ", fmt_duration(l->ttl_ns, a));
	printf("grace %s, %s left\n", fmt_duration(l->grace_ns, a),
	       fmt_duration(l->time_left_ns, b));
}

int cmd_show(int argc, char **argv)
{
	struct dlease_nl_lease *v = NULL;
	struct dlease_nl *nl;
	bool json = false;
	int rc, first, err;
	size_t n = 0;

	rc = parse_json_num(argc, argv, usage, NULL, &json, &first);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (first != argc - 1) {
		fputs(usage, stderr);
		return usage_error("show takes one NAME");
	}
	rc = nl_open_or_fail(&nl);
	if (rc)
		return rc;
	err = dlease_nl_leases(nl, argv[first], &v, &n);
	if (err) {
		rc = nl_fail(nl, err, "show");
	} else if (json) {
		rc = print_leases(v, n, true);
	} else if (n) {
		printf("%s: %u held, %u waiting\n", argv[first], v[0].holders,
		       v[0].waiters);
		for (size_t i = 0; i < n; i++)
			show_one(&v[i]);
	}
	if (!err && !n) {
		fprintf(stderr, "%s: no lease on '%s'\n", prog, argv[first]);
		rc = EX_NOINPUT;
	}
	free(v);
	dlease_nl_close(nl);
	return rc;
}
