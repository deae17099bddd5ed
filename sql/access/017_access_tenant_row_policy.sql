-- Keeps a tenant's users out of other tenants' rows, for any number of tenants without a
-- migration per tenant: each tenant user carries its tenant as a constant custom setting
--   CREATE USER grafana_weijiang ... SETTINGS SQL_tenant = 'weijiang' CONST
-- and this one policy compares every row's tenant with it. A user with the role but without the
-- setting gets an error ("Unknown setting SQL_tenant"), never all rows. Users without the role
-- (admin, writer, salespulse_reader) have no policy here and see every row: the server default
-- access_control_improvements.users_without_row_policies_can_read_rows = true (ClickHouse 24.1+).
-- dead_letters rows whose tenant could not be read (tenant = '') stay hidden from tenant users.
-- Every table with a tenant column is listed (views read them, so the policy applies through
-- views too); DashboardsTest fails when a new table is missing here.
CREATE ROW POLICY OR REPLACE salespulse_tenant_isolation
    ON salespulse.stage_events, salespulse.visits, salespulse.alert_acks, salespulse.alerts,
       salespulse.customer_status, salespulse.dead_letters, salespulse.stage_conversion,
       salespulse.alert_deliveries, salespulse.forecast_digests, salespulse.policy_changes,
       salespulse.import_sessions, salespulse.alert_silences,
       salespulse.outlets, salespulse.tenant_settings, salespulse.visit_plans,
       salespulse.contracts, salespulse.invoices, salespulse.payments, salespulse.cash_forecasts
    USING tenant = getSetting('SQL_tenant')
    AS PERMISSIVE
    TO salespulse_tenant_reader
