-- The notifier's role: only what the WeCom notifier reads and writes (its delivery ledger, the acks it records,
-- the escalation alerts and rejected acks it writes). Granted to CLICKHOUSE_NOTIFIER_USER by deploy/init/access.sh.
CREATE ROLE IF NOT EXISTS salespulse_notifier
