-- Read-only roles for Grafana. Which rows a tenant reader sees is decided by the row policy (017).
GRANT SELECT ON salespulse.* TO salespulse_reader, salespulse_tenant_reader
