-- The one database every SalesPulse table lives in. Tables are always fully qualified
-- (salespulse.x), so the migrations do not depend on the connection's default database.
CREATE DATABASE IF NOT EXISTS salespulse
