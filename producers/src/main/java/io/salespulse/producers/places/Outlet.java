package io.salespulse.producers.places;

/**
 * A place on a tenant's map: a customer's outlet (its {@code outletId} is the {@code customer_id}) or a competitor's
 * outlet loaded as reference data. Coordinates are WGS-84 degrees, as phones and map services give them.
 *
 * @param kind {@code customer} or {@code competitor}
 * @param brand the competitor's brand, empty for customers
 */
public record Outlet(String tenant, String kind, String outletId, String name, String region, double lat, double lon,
        String brand) {

    public static final String CUSTOMER = "customer";
    public static final String COMPETITOR = "competitor";

    /** Metres between two points on the WGS-84 mean sphere (haversine); within 0.5 % of ClickHouse's geoDistance. */
    public static double metres(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
