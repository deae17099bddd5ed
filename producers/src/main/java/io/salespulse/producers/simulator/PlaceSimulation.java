package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.producers.places.Outlet;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SalesOrganisation.Region;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Gives the simulated check-ins their accuracy and, for a few, a position far from the outlet; and builds the outlets.
 * Has its own random stream, so the rest of the history is the same with or without it.
 */
final class PlaceSimulation {
    /** Share of store-scan check-ins recorded far from the outlet (a rep checking in from the car park of another). */
    static final double FAR_RATE = 0.02;
    /** Share of customers not geocoded yet: their outlet is missing from the reference data. */
    static final double WITHOUT_OUTLET_RATE = 0.02;
    private static final String[] BRANDS = {"甜心烘焙", "麦香坊", "好利来客", "町上食品"};
    private static final int COMPETITORS_PER_REGION = 6;

    private final String tenant;
    private final SplittableRandom rnd;
    private final Set<String> far = new HashSet<>();

    PlaceSimulation(String tenant, SplittableRandom rnd) {
        this.tenant = tenant;
        this.rnd = rnd;
    }

    /** Adds accuracy to a check-in with a position; moves one in fifty 0.8 to 3 km away (ground truth: far). */
    void locate(Customer customer, ObjectNode visit) {
        if (!visit.has("lat")) {
            return;
        }
        // GPS in a city: mostly 5 to 30 m, sometimes up to 60 m.
        double accuracy = Math.round(5 + 25 * rnd.nextDouble() + (rnd.nextDouble() < 0.1 ? 30 : 0));
        visit.put("accuracy", accuracy);
        if (rnd.nextDouble() < FAR_RATE) {
            double metres = 800 + 2200 * rnd.nextDouble();
            double bearing = 2 * Math.PI * rnd.nextDouble();
            double lat = customer.store().lat() + metres * Math.cos(bearing) / 111_195.0;
            double lon = customer.store().lon() + metres * Math.sin(bearing)
                    / (111_195.0 * Math.cos(Math.toRadians(customer.store().lat())));
            visit.put("lat", SalesOrganisation.round5(lat));
            visit.put("lon", SalesOrganisation.round5(lon));
            far.add(visit.get("event_id").asText());
        }
    }

    Set<String> far() {
        return far;
    }

    /** Customers at their store's coordinates (but a few not geocoded), competitors around each region's centre. */
    List<Outlet> outlets(SalesOrganisation org, List<Customer> customers, Set<String> withoutOutlet) {
        List<Outlet> out = new ArrayList<>();
        for (Customer c : customers) {
            if (rnd.nextDouble() < WITHOUT_OUTLET_RATE) {
                withoutOutlet.add(c.id());
                continue;
            }
            out.add(new Outlet(tenant, Outlet.CUSTOMER, c.id(), "客户 " + c.id() + "（" + c.store().id() + "）",
                    c.rep().team().region().code(), c.store().lat(), c.store().lon(), ""));
        }
        int n = 0;
        for (Region r : org.regions) {
            for (int i = 0; i < COMPETITORS_PER_REGION; i++) {
                String brand = BRANDS[(n + i) % BRANDS.length];
                out.add(new Outlet(tenant, Outlet.COMPETITOR, String.format("k-%03d", ++n), brand + " " + r.code() + " 店",
                        r.code(), SalesOrganisation.round5(r.lat() + (rnd.nextDouble() - 0.5) * 0.06),
                        SalesOrganisation.round5(r.lon() + (rnd.nextDouble() - 0.5) * 0.08), brand));
            }
        }
        return out;
    }
}
