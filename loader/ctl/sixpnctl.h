/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* sixpnctl internals: argument parsing and output helpers shared by the
 * command groups (sixpnctl_*.c). */
#ifndef SIXPN_SIXPNCTL_H
#define SIXPN_SIXPNCTL_H

#include <stdbool.h>
#include <stdio.h>
#include "etcd/etcd.h"
#include "lib/json.h"
#include "registry/registry.h"

/* Exit codes; the registry's codes (enum reg_rc) are the same numbers. */
enum {
	EXIT_OK       = 0,
	EXIT_RUNTIME  = 1,   /* SQLite, I/O, address space exhausted */
	EXIT_USAGE    = 2,   /* bad arguments or a value breaking a rule */
	EXIT_NOTFOUND = 3,
	EXIT_EXISTS   = 4,   /* already exists, or in use */
	EXIT_SCHEMA   = 5,   /* registry newer than this build, or foreign */
	EXIT_MIRROR   = 6,   /* a write to a mirror of etcd */
	EXIT_PERM     = 7,   /* etcd refused the credentials or permission */
};

struct cli {
	const char *registry;  /* --registry, NULL: $SIXPN_REGISTRY or default */
	int json;              /* --json */
	int help;              /* --help */
	const char *cmd;       /* "apps create", for messages */
	const char *help_text; /* the command's --help text */
	struct reg *reg;
	struct etcd_cfg etcd;  /* --etcd*, SIXPN_ETCD: the registry on etcd */
	int use_etcd;
	const char *etcd_mirror; /* --etcd-mirror, SIXPN_ETCD_MIRROR: start there */
};

/* One command option, "--name VALUE" / "--name=VALUE" or a flag. */
#define OPT_REPEAT     2     /* has_arg: a value each time, given again and again */
#define OPT_MAX_VALUES 16
struct opt {
	const char *name;      /* without the dashes */
	int has_arg;           /* 0 a flag, 1 a value, OPT_REPEAT values */
	const char *val;       /* set by cli_parse (OPT_REPEAT: the last) */
	int set;
	const char *vals[OPT_MAX_VALUES]; /* OPT_REPEAT: every value, in order */
	int nvals;
};

#define OPT(n, a) { .name = (n), .has_arg = (a) }
#define OPT_END   { .name = NULL }

/* Parses argv (after the command words) into opts and positionals; checks
 * the positional count. Prints the error and returns EXIT_USAGE on bad
 * input, or EXIT_OK. */
int cli_parse(struct cli *c, int argc, char **argv, struct opt *opts,
	      const char **pos, int min_pos, int max_pos, int *npos);
const char *opt_get(const struct opt *opts, const char *name);
/* Sets *val to the value of option name; without it, prints
 * "<cmd>: --<name> <metavar> is required" and returns EXIT_USAGE. */
int opt_required(struct cli *c, const struct opt *opts, const char *name,
		 const char *metavar, const char **val);
/* --pin-dir DIR, or where sixpn pins by default. */
const char *opt_pin_dir(const struct opt *opts);

/* Opens the registry (creating it); prints the error on failure and
 * returns the exit code. */
int cli_open(struct cli *c);
/* cli_parse(), then cli_open(): the start of a command that needs no
 * check between the two. */
int cli_parse_open(struct cli *c, int argc, char **argv, struct opt *opts,
		   const char **pos, int min_pos, int max_pos);
/* Prints "sixpnctl: <message>" on stderr and returns rc. */
int cli_fail(struct cli *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints the registry's message for rc and returns rc. */
int cli_reg_fail(struct cli *c, int rc);
/* Prints a warning on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Command implementations: argv holds what follows the command words. */
typedef int (*cmd_fn)(struct cli *c, int argc, char **argv);
int cmd_orgs_create(struct cli *c, int argc, char **argv);
int cmd_orgs_list(struct cli *c, int argc, char **argv);
int cmd_networks_create(struct cli *c, int argc, char **argv);
int cmd_networks_list(struct cli *c, int argc, char **argv);
int cmd_apps_create(struct cli *c, int argc, char **argv);
int cmd_apps_list(struct cli *c, int argc, char **argv);
int cmd_apps_destroy(struct cli *c, int argc, char **argv);
int cmd_hosts_add(struct cli *c, int argc, char **argv);
int cmd_hosts_list(struct cli *c, int argc, char **argv);
int cmd_machines_create(struct cli *c, int argc, char **argv);
int cmd_machines_list(struct cli *c, int argc, char **argv);
int cmd_machines_destroy(struct cli *c, int argc, char **argv);
int cmd_machines_start(struct cli *c, int argc, char **argv);
int cmd_machines_stop(struct cli *c, int argc, char **argv);
int cmd_machines_move(struct cli *c, int argc, char **argv);
int cmd_machines_update(struct cli *c, int argc, char **argv);
int cmd_machines_env(struct cli *c, int argc, char **argv);
int cmd_wireguard_create(struct cli *c, int argc, char **argv);
int cmd_wireguard_list(struct cli *c, int argc, char **argv);
int cmd_wireguard_remove(struct cli *c, int argc, char **argv);
int cmd_addr(struct cli *c, int argc, char **argv);
int cmd_ips_allocate(struct cli *c, int argc, char **argv);    /* ips.c */
int cmd_ips_list(struct cli *c, int argc, char **argv);
int cmd_ips_release(struct cli *c, int argc, char **argv);
int cmd_registry_export(struct cli *c, int argc, char **argv); /* registry_cmds.c */
int cmd_registry_import(struct cli *c, int argc, char **argv);
int cmd_regions_set(struct cli *c, int argc, char **argv);    /* regions.c */
int cmd_regions_list(struct cli *c, int argc, char **argv);
int cmd_regions_remove(struct cli *c, int argc, char **argv);
int cmd_tokens_create(struct cli *c, int argc, char **argv);  /* tokens.c */
int cmd_tokens_list(struct cli *c, int argc, char **argv);
int cmd_tokens_revoke(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);          /* serve.c */
int cmd_stats(struct cli *c, int argc, char **argv);   /* stats.c */
int cmd_monitor(struct cli *c, int argc, char **argv); /* monitor.c */
int cmd_ct_list(struct cli *c, int argc, char **argv); /* ct.c */

/* A listing command (orgs list, apps list, ...). The JSON form states the
 * total before the rows, as the Machines API does, so the rows are walked
 * twice in one snapshot: once to count them, once to print them. */
struct cli_list {
	struct cli *c;
	struct reg_filter f;   /* for the walk: which rows to list */
	struct json j;
	uint32_t n;            /* the rows counted */
	int counting;          /* in the first walk: count, print nothing */
};
/* Begins the listing's snapshot and, given an org, checks that the org
 * exists in it, so that a misspelt org is an error rather than an empty
 * list. Prints the error and returns the exit code on failure. */
int cli_snapshot(struct cli *c, const char *org);
/* Walks the listed rows with the command's row callback and l as its ctx. */
typedef int (*cli_list_walk)(struct cli_list *l);
/* Counts the rows, then prints the header (text, header_fmt as printf) or
 * opens {"total_<key>":N,"<key>":[ (JSON), prints the rows and closes the
 * wrapper. Call it inside reg_snapshot_begin() so the count matches the
 * rows; it ends the snapshot. Prints the error and returns the exit code
 * on failure. */
int cli_list(struct cli_list *l, const char *key, cli_list_walk walk,
	     const char *header_fmt, ...) __attribute__((format(printf, 4, 5)));
/* A whole list command without positionals: with by_org, --org ORG is
 * required and filters the rows (l->f.org); opens the registry, begins the
 * snapshot (cli_snapshot()) and lists the rows (cli_list()). */
int cli_list_cmd(struct cli *c, int argc, char **argv, bool by_org, const char *key,
		 cli_list_walk walk, const char *header_fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* For a row callback: 1 to print the row; 0 in the counting walk, where it
 * counts the row instead. */
int cli_list_row(struct cli_list *l);

/* With --json: j set up to write the command's answer on stdout, and
 * true; without: false, the answer is text. */
bool cli_json(struct cli *c, struct json *j);

/* Output helpers shared by the groups. */
void out_time(int64_t t, char *buf, size_t len);   /* ISO 8601 UTC */
/* fdaa:NET::/48 of network net; buf: REG_ADDRSTRLEN. */
char *out_net_prefix(uint32_t net, char *buf);
/* "key":"<t as ISO 8601 UTC>" */
void json_time(struct json *j, const char *key, int64_t t);
/* the machine as the API writes it (api_json_machine), without private_ip */
void json_machine(struct json *j, const char *key, const struct reg_machine *m);
void json_peer(struct json *j, const char *key, const struct reg_peer *p);

#endif
