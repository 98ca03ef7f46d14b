// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl regions ...: region coordinates for the resolver's
 * top<N>.nearest.of.<app>.internal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/sixpnctl.h"

/* The value of the required option --<what> in degrees. */
static int parse_degrees(struct cli *c, const struct opt *opts, const char *what,
			 double *out)
{
	const char *s;
	char *end;
	int rc;

	rc = opt_required(c, opts, what, "DEGREES", &s);
	if (rc)
		return rc;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end)
		return cli_fail(c, EXIT_USAGE, "%s '%s' is invalid: not a number", what, s);
	return EXIT_OK;
}

static int print_region(const struct reg_region *g, void *ctx)
{
	struct json *j = ctx;
	char v[32];

	if (!j) {
		printf("%-16s %11.6f %11.6f\n", g->name, g->lat, g->lon);
		return 0;
	}
	json_obj_begin(j, NULL);
	json_str(j, "region", g->name);
	snprintf(v, sizeof(v), "%.6f", g->lat);
	json_str(j, "lat", v);
	snprintf(v, sizeof(v), "%.6f", g->lon);
	json_str(j, "lon", v);
	json_obj_end(j);
	return 0;
}

int cmd_regions_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("lat", 1), OPT("lon", 1), OPT_END };
	const char *pos[1];
	char err[512];
	double lat, lon;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 1, 1, &n);
	if (rc)
		return rc;
	if (reg_check_region(pos[0], err, sizeof(err)))
		return cli_fail(c, EXIT_USAGE, "%s", err);
	if ((rc = parse_degrees(c, opts, "lat", &lat)) ||
	    (rc = parse_degrees(c, opts, "lon", &lon)))
		return rc;
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_region_set(c->reg, pos[0], lat, lon);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		struct reg_region g = { .lat = lat, .lon = lon };

		snprintf(g.name, sizeof(g.name), "%s", pos[0]);
		print_region(&g, &j);
	} else {
		printf("region %s at %.6f, %.6f\n", pos[0], lat, lon);
	}
	return EXIT_OK;
}

int cmd_regions_list(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	struct json j;
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 0, 0);
	if (rc)
		return rc;
	if (cli_json(c, &j)) {
		json_arr_begin(&j, NULL);
	} else {
		printf("%-16s %11s %11s\n", "REGION", "LAT", "LON");
	}
	rc = reg_foreach_region(c->reg, print_region, c->json ? &j : NULL);
	if (rc)
		return cli_reg_fail(c, rc);
	if (c->json)
		json_arr_end(&j);
	return EXIT_OK;
}

int cmd_regions_remove(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	int rc;

	rc = cli_parse_open(c, argc, argv, NULL, pos, 1, 1);
	if (rc)
		return rc;
	rc = reg_region_remove(c->reg, pos[0]);
	if (rc)
		return cli_reg_fail(c, rc);
	if (!c->json)
		printf("removed region %s\n", pos[0]);
	return EXIT_OK;
}
