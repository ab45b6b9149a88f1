-- webmon: questions people ask of wm_results, using the views of
-- sql/views.sql. Run one with psql, e.g.  psql -f examples/queries.sql

-- Sites down now, as each probe sees them: the last result failed, or the
-- state with thresholds (3 failures before down, 2 successes before up)
-- is down.
SELECT url, probe, error, detail, since AS down_since, fails_in_row, state
FROM wm_status
WHERE NOT ok OR state = 'down'
ORDER BY since;

-- Down from at least 2 probes (locations) at once: the site, not a probe's
-- network, is probably the problem.
SELECT url, probes_down || ' of ' || probes AS down_from, down_probes
FROM wm_site_status
WHERE probes_down >= 2
ORDER BY probes_down DESC, url;

-- Uptime over the last 24 hours per site (all probes together).
SELECT url,
       sum(checks) AS checks,
       trunc(100.0 * sum(ups) / sum(checks), 3) AS uptime_pct
FROM wm_uptime('hour', now() - interval '24 hours')
GROUP BY url
ORDER BY uptime_pct, url;

-- The slowest sites: p95 of the successful probes' total time per day,
-- last 7 days, worst first.
SELECT url, probe, (bucket AT TIME ZONE 'UTC')::date AS day, round(p95_ms::numeric, 1) AS p95_ms,
       round(p50_ms::numeric, 1) AS p50_ms
FROM wm_uptime('day', date_trunc('day', now() - interval '6 days'))
WHERE p95_ms IS NOT NULL
ORDER BY p95_ms DESC
LIMIT 20;

-- Where the time goes for one site over the last hour: the phases.
SELECT probe, count(*) AS checks,
       round(avg(dns_ms)::numeric, 1) AS dns, round(avg(connect_ms)::numeric, 1) AS connect,
       round(avg(tls_ms)::numeric, 1) AS tls, round(avg(wait_ms)::numeric, 1) AS wait,
       round(avg(transfer_ms)::numeric, 1) AS transfer
FROM wm_results
WHERE url = 'https://example.com/' AND ok AND ts > now() - interval '1 hour'
GROUP BY probe;

-- Certificates expiring within 14 days (or already expired).
SELECT url, probe, cert_expiry, days_left
FROM wm_cert_expiry
WHERE cert_expiry < now() + interval '14 days'
ORDER BY cert_expiry;

-- Incidents this week (since Monday), with 3 failures before down and 2
-- successes before up; ongoing ones have no end.
SELECT url, probe, started, ended, duration, failures, first_error, last_error
FROM wm_incidents(3, 2, date_trunc('week', now()))
ORDER BY started;

-- Stricter paging for a flaky site: 5 failures in a row before down.
SELECT started, detected, ended, failures, last_detail
FROM wm_incidents(5, 2, now() - interval '30 days', 'https://flaky.example/');

-- Uptime and p95 latency per site over the last 30 whole days, from the
-- daily rollups (kept by triggers, so this reads 30 rows per site however
-- many results there are).
SELECT url, probe, sum(checks) AS checks,
       trunc(100.0 * sum(ups) / sum(checks), 3) AS uptime_pct,
       round(wm_hist_quantile(wm_hist_sum(hist), 0.95)::numeric, 1) AS p95_ms
FROM wm_rollup_daily
WHERE bucket >= date_trunc('day', now(), 'UTC') - interval '30 days'
GROUP BY url, probe
ORDER BY uptime_pct, url, probe;
