-- Places on a tenant's map: customers' outlets (outlet_id = customer_id) and competitors' outlets, loaded as
-- reference data by `bin/salespulse outlets import` (docs/places.md). A later import of the same outlet has a
-- higher version and wins, so FINAL gives each outlet's latest coordinates.
CREATE TABLE IF NOT EXISTS salespulse.outlets
(
    tenant      LowCardinality(String),
    kind        LowCardinality(String) COMMENT 'customer | competitor',
    outlet_id   String COMMENT 'the customer_id for kind customer',
    name        String,
    region      LowCardinality(String),
    lat         Float64 COMMENT 'WGS-84 degrees',
    lon         Float64 COMMENT 'WGS-84 degrees',
    brand       String COMMENT 'a competitor''s brand, empty for customers',
    source      String COMMENT 'the file the outlet came from, or simulator',
    import_id   String COMMENT 'the outlets import that wrote the row',
    imported_at DateTime64(3, 'UTC'),
    version     UInt64 COMMENT 'microseconds of the import; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, kind, outlet_id)
COMMENT 'Customer and competitor outlets with coordinates (read with FINAL)'
