/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* sixpn-attach's commands: one table (sixpn_attach.c) of a name and the
 * function that runs it, as bpftool's `struct cmd`. */
#ifndef SIXPN_ATTACH_CMD_H
#define SIXPN_ATTACH_CMD_H

#include <stdbool.h>

#define EXIT_USAGE 2

struct sixpn_bpf;

struct attach_ctx {
	const char *pin_dir;
	bool json;              /* --json */
	struct sixpn_bpf *b;    /* the loaded TC object, for commands that want it */
};

struct cmd {
	const char *name;
	/* Arguments after the command; -1: the command checks them itself. */
	int nargs;
	/* Loads the TC object (maps pinned in the pin directory) first. */
	bool tc;
	/* argv[0] is the command (getopt wants it there). Returns the exit
	 * status: 0, 1 on failure, EXIT_USAGE on a usage error. */
	int (*func)(const struct attach_ctx *c, int argc, char **argv);
};

/* "sixpn-attach: <what>" and the --help hint on stderr; EXIT_USAGE. */
int attach_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
