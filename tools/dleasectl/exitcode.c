// SPDX-License-Identifier: GPL-2.0
/*
 * Exit codes and error messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "dleasectl.h"

const char *prog = "dleasectl";

/**
 * exit_code_for() - the exit code documented for a library error
 * @err: a negative errno value
 *
 * Return: an EX_* code of sysexits.h, or EXIT_LEASE_LOST.
 */
int exit_code_for(int err)
{
	switch (-err) {
	case EINVAL:
	case ERANGE:
		return EX_USAGE;
	case EAGAIN:
	case ETIMEDOUT:
	case EDQUOT:
	case ENOSPC:
	case EBUSY:
		return EX_TEMPFAIL;
	case ENOENT:
		return EX_NOINPUT;
	case ENODEV:
	case ENOLINK:		/* a cluster lease without a cluster bridge */
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
		return EX_UNAVAILABLE;
	case EPERM:
	case EACCES:
		return EX_NOPERM;
	case ESTALE:
		return EXIT_LEASE_LOST;
	case EPROTO:
	case EBADMSG:
	case EMSGSIZE:
		return EX_PROTOCOL;
	}
	return EX_OSERR;
}

/**
 * fail() - print "dleasectl: <what>: <error>" and pick the exit code
 * @err: a negative errno value
 * @fmt: what failed
 *
 * Return: exit_code_for(@err).
 */
int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", dlease_strerror(err));
	return exit_code_for(err);
}

/**
 * usage_error() - print a usage problem
 * @fmt: what is wrong
 *
 * Return: EX_USAGE.
 */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EX_USAGE;
}
