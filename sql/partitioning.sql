-- webmon: wm_results as monthly range partitions on ts, managed by
-- pg_partman 4.x (Debian: postgresql-15-partman), raw rows kept 35 days.
-- The rollups (sql/rollups.sql) are kept apart: dropping a partition does
-- not touch them, so uptime and latency stay answerable for years.
--
-- Run it INSTEAD of sql/schema.sql, on a database where wm_results does not
-- exist yet; it includes schema.sql with wm_partitioned set, so the column
-- list, constraints and indexes are the same, and the primary key becomes
-- (id, ts). Then run sql/views.sql as usual:
--
--   psql -v ON_ERROR_STOP=1 -f sql/partitioning.sql
--   psql -v ON_ERROR_STOP=1 -f sql/views.sql
--
-- The sink then deduplicates on both key columns:
--   wm-pg-copy -t wm_results --key id,ts
-- (ON CONFLICT needs a unique index on exactly those columns; a replayed
-- record has the same id and ts.)
--
-- Safe to run again (nothing is created twice, the settings below are
-- re-applied). If wm_results already exists as a plain table it stops with
-- an error and changes nothing: converting a filled table is a migration
-- (create the partitioned table under another name, move rows month by
-- month, rename), not something to do by accident.
--
-- Partitions are created 4 months ahead; rows outside every partition land
-- in wm_results_default (pg_partman's partition_data_proc() moves them out).
-- Maintenance creates new months and drops the months that ended more
-- than 35 days ago (so raw rows stay 35 to 66 days); wm_rollup_prune()
-- drops hourly rollups older than 13 months (daily ones are kept). Run
-- both hourly or daily, e.g. from cron:
--
--   0 * * * *  psql -qX -c 'CALL partman.run_maintenance_proc()' -c 'SELECT wm_rollup_prune()'
--
-- or load pg_partman_bgw (shared_preload_libraries, pg_partman_bgw.dbname).
-- To keep raw rows longer or shorter (running this file again resets it):
--   UPDATE partman.part_config SET retention = '90 days'
--    WHERE parent_table = 'public.wm_results';
-- and rollups: SELECT wm_rollup_prune('25 months', '10 years').

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_class
	           WHERE oid = to_regclass('wm_results') AND relkind <> 'p') THEN
		RAISE EXCEPTION 'wm_results exists and is not partitioned'
			USING HINT = 'partitioning.sql replaces schema.sql on a new database';
	END IF;
END
$$;

\set wm_partitioned on
\ir schema.sql
SET client_min_messages = warning;

SELECT partman.create_parent(
	p_parent_table := format('%I.wm_results', current_schema()),
	p_control := 'ts',
	p_type := 'native',
	p_interval := 'monthly',
	p_premake := 4)
WHERE NOT EXISTS (SELECT 1 FROM partman.part_config
                  WHERE parent_table = format('%I.wm_results', current_schema()));

-- Retention: drop (not just detach) partitions whose whole month is older
-- than 35 days. infinite_time_partitions keeps creating future months
-- even while no new rows arrive.
UPDATE partman.part_config
SET retention = '35 days',
    retention_keep_table = false,
    retention_keep_index = false,
    infinite_time_partitions = true
WHERE parent_table = format('%I.wm_results', current_schema());
