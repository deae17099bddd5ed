-- The pipeline's role may insert into SalesPulse tables and nothing else: no SELECT, no ALTER, no
-- DROP. Migrations run as the admin user, never as the writer.
GRANT INSERT ON salespulse.* TO salespulse_writer
