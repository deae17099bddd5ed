package io.salespulse.cli.routes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Tomorrow's route of one rep (docs/places.md): priority decides who is on the list, geography decides the order.
 * <ol>
 *   <li>Candidates in classes: overdue (longest overdue first), then high potential, then the others due for a
 *       visit (longest since the last visit first). The first {@code stops} of that ranking are the plan, so a
 *       near low-priority customer never takes the place of a far overdue one.</li>
 *   <li>The chosen stops are ordered by nearest neighbour from the rep's usual start, then improved by 2-opt
 *       (reverse a stretch while that shortens the path). The path is open: the day ends at the last stop.</li>
 * </ol>
 * Distances are great-circle (haversine, mean Earth radius), in km: close enough to the WGS-84 ellipsoid for a
 * city's stores (within 0.5 %), and road distance is not known anyway.
 */
public final class RoutePlanner {
    private static final double EARTH_RADIUS_KM = 6371.0088;

    private RoutePlanner() {}

    /** Why a customer is on the plan, in priority order. */
    public enum Reason {
        OVERDUE("overdue"), HIGH_POTENTIAL("high_potential"), DUE_FOR_VISIT("due_for_visit");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The value of visit_plans.reason. */
        public String code() {
            return code;
        }
    }

    /** A point in WGS-84 degrees. */
    public record Point(double lat, double lon) {}

    /**
     * An open customer of the rep with its outlet's position. {@code overdueHours} counts for overdue customers;
     * {@code hoursSinceContact} (since the last visit or stage card) orders the other classes.
     */
    public record Candidate(String customerId, Point at, Reason reason, double overdueHours, double hoursSinceContact) {}

    /** A stop of the plan: its place in the day (1..n) and the km from the previous stop (the start for the first). */
    public record Stop(int seq, Candidate customer, double legKm) {}

    /** The plan, with what visiting the same stops in priority order would have cost. */
    public record Plan(Point start, List<Stop> stops, double totalKm, double priorityOrderKm) {}

    /** The ranking: overdue (longest first), high potential, due for a visit (longest since contact first). */
    public static final Comparator<Candidate> PRIORITY = Comparator.comparing(Candidate::reason)
            .thenComparing(c -> c.reason() == Reason.OVERDUE ? -c.overdueHours() : -c.hoursSinceContact())
            .thenComparing(Candidate::customerId);

    public static Plan plan(Point start, List<Candidate> candidates, int stops) {
        if (stops < 1) {
            throw new IllegalArgumentException("stops must be at least 1, got " + stops);
        }
        List<Candidate> chosen = candidates.stream().sorted(PRIORITY).limit(stops).toList();
        List<Candidate> order = twoOpt(start, nearestNeighbour(start, chosen));
        List<Stop> out = new ArrayList<>();
        Point previous = start;
        double total = 0;
        for (Candidate c : order) {
            double leg = km(previous, c.at());
            total += leg;
            out.add(new Stop(out.size() + 1, c, leg));
            previous = c.at();
        }
        return new Plan(start, List.copyOf(out), total, pathKm(start, chosen));
    }

    /** From the start, always to the nearest stop not yet visited. */
    static List<Candidate> nearestNeighbour(Point start, List<Candidate> stops) {
        List<Candidate> left = new ArrayList<>(stops);
        List<Candidate> order = new ArrayList<>();
        Point at = start;
        while (!left.isEmpty()) {
            Candidate next = left.get(0);
            for (Candidate c : left) {
                if (km(at, c.at()) < km(at, next.at())) {
                    next = c;
                }
            }
            left.remove(next);
            order.add(next);
            at = next.at();
        }
        return order;
    }

    /**
     * 2-opt on an open path with a fixed start: reversing stops i..j replaces the legs (i-1 → i) and (j → j+1) by
     * (i-1 → j) and (i → j+1); when j is the last stop there is no leg after it. Repeats until no reversal shortens
     * the path, so the result is never longer than the input.
     */
    static List<Candidate> twoOpt(Point start, List<Candidate> path) {
        List<Candidate> p = new ArrayList<>(path);
        boolean improved = true;
        while (improved) {
            improved = false;
            for (int i = 0; i < p.size() - 1; i++) {
                for (int j = i + 1; j < p.size(); j++) {
                    Point before = i == 0 ? start : p.get(i - 1).at();
                    double old = km(before, p.get(i).at()) + (j + 1 < p.size() ? km(p.get(j).at(), p.get(j + 1).at()) : 0);
                    double now = km(before, p.get(j).at()) + (j + 1 < p.size() ? km(p.get(i).at(), p.get(j + 1).at()) : 0);
                    if (now < old - 1e-9) {
                        Collections.reverse(p.subList(i, j + 1));
                        improved = true;
                    }
                }
            }
        }
        return p;
    }

    /** The km of visiting the stops in the given order from the start. */
    public static double pathKm(Point start, List<Candidate> order) {
        double total = 0;
        Point at = start;
        for (Candidate c : order) {
            total += km(at, c.at());
            at = c.at();
        }
        return total;
    }

    /** Great-circle distance in km (haversine). */
    public static double km(Point a, Point b) {
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double h = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(a.lat())) * Math.cos(Math.toRadians(b.lat())) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    /**
     * The rep's usual start: the median latitude and the median longitude of the first check-ins of the day (robust
     * to a day that began elsewhere); without any, the centroid of the rep's customers.
     */
    public static Point usualStart(List<Point> firstCheckIns, List<Point> customers) {
        if (!firstCheckIns.isEmpty()) {
            return new Point(median(firstCheckIns.stream().mapToDouble(Point::lat).toArray()),
                    median(firstCheckIns.stream().mapToDouble(Point::lon).toArray()));
        }
        if (customers.isEmpty()) {
            throw new IllegalArgumentException("no check-ins and no customers: no start");
        }
        return new Point(customers.stream().mapToDouble(Point::lat).average().orElseThrow(),
                customers.stream().mapToDouble(Point::lon).average().orElseThrow());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
