-- webmon: upgrade in place a database made by an older sql/ (webmon 0.2:
-- wm_results without rollups), plain or partitioned:
--
--   psql -v ON_ERROR_STOP=1 -f sql/migrate.sql
--
-- 1. schema.sql: appends the new result columns, widens the constraints
--    (validated once: a full scan of wm_results), creates wm_latest, the
--    rollup tables and the triggers; from then on new rows are counted.
-- 2. wm_rollup_backfill(): fills the rollups and wm_latest from the rows
--    already stored, one UTC day per transaction (about a second per
--    300,000 results; loads into wm_results wait while a day is rebuilt).
--    Interrupted (Ctrl-C, a restart), run this file again: it goes on with
--    the next day. Progress: SELECT * FROM wm_backfill.
-- 3. views.sql: the views read wm_latest and the rollups.
-- 4. drops the index that the views no longer use.
-- Loaders may keep running throughout. On a partitioned table also run
-- sql/partitioning.sql again afterwards for the new raw retention.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\ir schema.sql
SET client_min_messages = warning;
CALL wm_rollup_backfill();
\ir views.sql

-- 4. The (url, probe, ts) index of 0.2 (a third of the table's bytes) is
--    replaced by wm_results_url_hash_ts_idx (schema.sql).
DROP INDEX IF EXISTS wm_results_url_probe_ts_idx;
