-- Each visit with where it was against where its customer's outlet is (docs/places.md). place_check:
--   no_position      the visit has no coordinates (phone, online, video, or the phone had no fix)
--   unknown_customer the customer has no outlet with coordinates: visible here, never dropped
--   far              even the nearest point the phone's accuracy allows is further from the outlet than the
--                    tenant's far_check_in_m (tenant_settings, default 500 m)
--   imprecise        not far, but the phone's accuracy radius alone is larger than that distance
--   near             otherwise
-- geoDistance is the WGS-84 ellipsoid distance in metres.
CREATE OR REPLACE VIEW salespulse.visit_places AS
SELECT
    v.event_id AS event_id,
    v.tenant AS tenant,
    v.occurred_at AS occurred_at,
    v.rep_id AS rep_id,
    v.customer_id AS customer_id,
    v.region AS region,
    v.team AS team,
    v.channel AS channel,
    v.lat AS lat,
    v.lon AS lon,
    v.accuracy AS accuracy,
    v.photo AS photo,
    if(o.outlet_id = '', NULL, o.lat) AS outlet_lat,
    if(o.outlet_id = '', NULL, o.lon) AS outlet_lon,
    if(v.lat IS NULL OR o.outlet_id = '', NULL, geoDistance(v.lon, v.lat, o.lon, o.lat)) AS distance_m,
    if(s.far_check_in_m = 0, 500, s.far_check_in_m) AS far_threshold_m,
    multiIf(v.lat IS NULL, 'no_position',
            o.outlet_id = '', 'unknown_customer',
            distance_m - ifNull(v.accuracy, 0) > far_threshold_m, 'far',
            ifNull(v.accuracy, 0) > far_threshold_m, 'imprecise',
            'near') AS place_check
FROM (SELECT * FROM salespulse.visits FINAL) AS v
LEFT JOIN (SELECT tenant, outlet_id, lat, lon FROM salespulse.outlets FINAL WHERE kind = 'customer') AS o
    ON o.tenant = v.tenant AND o.outlet_id = v.customer_id
LEFT JOIN (SELECT tenant, far_check_in_m FROM salespulse.tenant_settings FINAL) AS s
    ON s.tenant = v.tenant
SETTINGS join_use_nulls = 0
