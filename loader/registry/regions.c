// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Region coordinates in the registry (schema version 2): written by
 * `sixpnctl regions set`, read by the resolver for
 * top<N>.nearest.of.<app>.internal. */
#include <math.h>
#include <string.h>

#include "registry/registry_int.h"

static void region_row(sqlite3_stmt *st, struct reg_region *g)
{
	memset(g, 0, sizeof(*g));
	reg_col_text(st, 0, g->name, sizeof(g->name));
	g->lat = sqlite3_column_double(st, 1);
	g->lon = sqlite3_column_double(st, 2);
	g->updated_at = sqlite3_column_int64(st, 3);
}

int reg_foreach_region(struct reg *r, reg_region_cb cb, void *ctx)
{
	struct reg_region g;
	sqlite3_stmt *st = reg_prep(r, "SELECT name, lat, lon, updated_at FROM regions ORDER BY name");
	int rc, ret = REG_OK;

	if (!st)
		return REG_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		region_row(st, &g);
		ret = cb(&g, ctx);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = reg_sqlfail(r, "read regions");
	sqlite3_finalize(st);
	return ret;
}

static int region_set_once(struct reg *r, const char *name, double lat, double lon)
{
	char err[256];
	sqlite3_stmt *st;
	int rc;

	if (reg_check_region(name, err, sizeof(err)))
		return reg_fail(r, REG_EINVAL, "%s", err);
	if (!isfinite(lat) || lat < -90 || lat > 90)
		return reg_fail(r, REG_EINVAL, "latitude %g is invalid: must be -90..90", lat);
	if (!isfinite(lon) || lon < -180 || lon > 180)
		return reg_fail(r, REG_EINVAL, "longitude %g is invalid: must be -180..180", lon);
	st = reg_write_prep(r, "INSERT OR REPLACE INTO regions (name, lat, lon, updated_at)"
			    " VALUES (?1, ?2, ?3, ?4)", &rc);
	if (!st)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, lat);
	sqlite3_bind_double(st, 3, lon);
	sqlite3_bind_int64(st, 4, reg_now());
	rc = sqlite3_step(st) == SQLITE_DONE ? REG_OK : reg_sqlfail(r, "set region");
	sqlite3_finalize(st);
	return reg_end_write(r, rc);
}

static int region_remove_once(struct reg *r, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	st = reg_write_prep(r, "DELETE FROM regions WHERE name = ?1", &rc);
	if (!st)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? REG_OK : reg_sqlfail(r, "remove region");
	sqlite3_finalize(st);
	if (!rc && sqlite3_changes(r->db) == 0)
		rc = reg_fail(r, REG_ENOENT, "region '%s' has no coordinates", name);
	return reg_end_write(r, rc);
}

int reg_region_set(struct reg *r, const char *name, double lat, double lon)
{
	REG_WRITE_RETRY(r, region_set_once(r, name, lat, lon));
}

int reg_region_remove(struct reg *r, const char *name)
{
	REG_WRITE_RETRY(r, region_remove_once(r, name));
}
