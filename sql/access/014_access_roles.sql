-- Access control, part 1: the roles. Applied to a ClickHouse server by deploy/init/access.sh (or by
-- hand, see README "ClickHouse roles"), not by the Migrator: the test engine (chDB) has no writable
-- access storage, so CREATE ROLE/USER/ROW POLICY cannot run there. Idempotent, run it again freely.
--   salespulse_writer         the pipeline: INSERT only (015)
--   salespulse_reader         Grafana for operators: SELECT on every tenant (016)
--   salespulse_tenant_reader  a tenant's own dashboards: SELECT, rows of its tenant only (016, 017)
CREATE ROLE IF NOT EXISTS salespulse_writer, salespulse_reader, salespulse_tenant_reader
