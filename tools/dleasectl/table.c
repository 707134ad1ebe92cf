// SPDX-License-Identifier: GPL-2.0
/*
 * Aligned tables for humans: columns as wide as their widest cell.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dleasectl.h"

/**
 * table_new() - an empty table
 * @t: zeroed table
 * @ncols: number of columns (at most TABLE_MAX_COLS)
 * @...: the @ncols headers
 */
void table_new(struct table *t, int ncols, ...)
{
	va_list ap;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	va_start(ap, ncols);
	for (int i = 0; i < ncols; i++)
		t->head[i] = va_arg(ap, const char *);
	va_end(ap);
}

/**
 * table_add() - add a row
 * @t: the table
 * @...: @t->ncols cells (copied)
 *
 * Return: 0 or -ENOMEM.
 */
int table_add(struct table *t, ...)
{
	char **row, **rows;
	va_list ap;
	int i;

	rows = reallocarray(t->cells, (t->nrows + 1) * t->ncols,
			    sizeof(char *));
	if (!rows)
		return -ENOMEM;
	t->cells = rows;
	row = &rows[t->nrows * t->ncols];
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++)
		row[i] = strdup(va_arg(ap, const char *));
	va_end(ap);
	t->nrows++;
	for (i = 0; i < t->ncols; i++)
		if (!row[i])
			return -ENOMEM;
	return 0;
}

static void print_row(const struct table *t, const int *w,
		      const char *const *cells, FILE *f)
{
	for (int i = 0; i < t->ncols; i++) {
		if (i == t->ncols - 1)
			fprintf(f, "%s\n", cells[i]);
		else
			fprintf(f, "%-*s  ", w[i], cells[i]);
	}
}

/**
 * table_print() - print the header and the rows, then free the table
 * @t: the table
 * @f: where to
 */
void table_print(struct table *t, FILE *f)
{
	int w[TABLE_MAX_COLS] = { 0 };
	int i, r, len;

	for (i = 0; i < t->ncols; i++)
		w[i] = strlen(t->head[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			len = strlen(t->cells[r * t->ncols + i]);
			if (len > w[i])
				w[i] = len;
		}
	print_row(t, w, t->head, f);
	for (r = 0; r < t->nrows; r++)
		print_row(t, w, (const char *const *)&t->cells[r * t->ncols],
			  f);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}
