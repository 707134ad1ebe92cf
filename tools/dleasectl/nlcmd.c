// SPDX-License-Identifier: GPL-2.0
/*
 * What the netlink commands share: opening the family, errors with the
 * kernel's extended ACK message, --json, JSON of a lease, number and
 * duration cells.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dleasectl.h"

/**
 * nl_open_or_fail() - open the dlease netlink family
 * @nlp: the handle
 *
 * Return: 0, or the exit code after printing why.
 */
int nl_open_or_fail(struct dlease_nl **nlp)
{
	int err = dlease_nl_open(nlp);

	return err ? fail(err, "netlink") : 0;
}

/**
 * nl_fail() - print a failed request with the kernel's message
 * @nl: the handle
 * @err: the negative errno value
 * @what: the request
 *
 * Return: the exit code for @err.
 */
int nl_fail(struct dlease_nl *nl, int err, const char *what)
{
	const char *ext = dlease_nl_extack(nl);

	if (*ext)
		fprintf(stderr, "%s: %s: %s: %s\n", prog, what,
			dlease_strerror(err), ext);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, what,
			dlease_strerror(err));
	return exit_code_for(err);
}

/**
 * parse_json_num() - options of a command: --json and maybe one number
 * @argc: argument count
 * @argv: arguments, argv[0] the command
 * @usage: its usage text
 * @num: the numeric option (with its limits and value), or NULL
 * @json: set by --json
 * @first_arg: index of the first operand
 *
 * Return: 0; -1 after --help; EX_USAGE.
 */
int parse_json_num(int argc, char **argv, const char *usage,
		   struct num_opt *num, bool *json, int *first_arg)
{
	struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ num ? num->name : "help", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case 'n':
			num->value = strtoul(optarg, &end, 10);
			if (*end || *optarg < '0' || *optarg > '9' ||
			    num->value < num->min || num->value > num->max)
				return usage_error("--%s: %lu to %lu", num->name,
						   num->min, num->max);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
			fputs(usage, stderr);
			return EX_USAGE;
		}
	}
	*first_arg = optind;
	return 0;
}

/**
 * json_print() - print a JSON value on one line and drop it
 * @o: the value
 */
void json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/**
 * json_lease() - a dumped lease as a JSON object
 * @l: the lease
 *
 * Return: a new object.
 */
struct json_object *json_lease(const struct dlease_nl_lease *l)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "name", l->name);
	add_u64(o, "session", l->session);
	add_u64(o, "id", l->id);
	add_str(o, "mode", dlease_mode_name(l->mode));
	add_str(o, "state", dlease_state_name(l->state));
	add_u64(o, "pid", l->pid);
	add_str(o, "comm", l->comm);
	add_u64(o, "token", l->token);
	add_u64(o, "ttl_ns", l->ttl_ns);
	add_u64(o, "grace_ns", l->grace_ns);
	add_u64(o, "expires_ns", l->expires_ns);
	add_u64(o, "time_left_ns", l->time_left_ns);
	add_u64(o, "waited_ns", l->waited_ns);
	add_u64(o, "held_for_ns", l->held_for_ns);
	add_u64(o, "position", l->position);
	add_u64(o, "holders", l->holders);
	add_u64(o, "waiters", l->waiters);
	return o;
}

/**
 * fmt_duration() - a duration cell
 * @ns: nanoseconds
 * @buf: DLEASE_DURATION_MAX bytes
 *
 * Return: @buf.
 */
char *fmt_duration(uint64_t ns, char *buf)
{
	return dlease_duration_format((int64_t)ns, buf, DLEASE_DURATION_MAX);
}

/**
 * fmt_u64() - a number cell
 * @v: the number
 * @buf: 21 bytes
 *
 * Return: @buf.
 */
char *fmt_u64(uint64_t v, char *buf)
{
	snprintf(buf, 21, "%" PRIu64, v);
	return buf;
}
