package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.producers.places.Outlet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The places of a simulation and their ground truth: every customer's outlet at its store's coordinates (but for the
 * few not geocoded yet) and competitors' outlets around each region, for {@code bin/salespulse outlets} or the demo
 * to load; and which of the sent check-ins were injected far from their outlet.
 *
 * @param outlets customers' and competitors' outlets
 * @param farCheckIns event ids of sent check-ins of customers with an outlet, placed 0.8 to 3 km from it (more than the
 *     default 500 m plus the accuracy they report)
 * @param customersWithoutOutlet customers left out of {@code outlets}: their check-ins are {@code unknown_customer}
 * @param positionedVisits sent visits with coordinates
 * @param unknownCustomerCheckIns sent visits with coordinates of customers without an outlet
 */
public record SimulatedPlaces(List<Outlet> outlets, Set<String> farCheckIns, Set<String> customersWithoutOutlet,
        long positionedVisits, long unknownCustomerCheckIns) {

    public static final SimulatedPlaces NONE = new SimulatedPlaces(List.of(), Set.of(), Set.of(), 0, 0);

    public SimulatedPlaces {
        outlets = List.copyOf(outlets);
        farCheckIns = Set.copyOf(farCheckIns);
        customersWithoutOutlet = Set.copyOf(customersWithoutOutlet);
    }

    public long competitors() {
        return outlets.stream().filter(o -> o.kind().equals(Outlet.COMPETITOR)).count();
    }

    ObjectNode toJson() {
        ObjectNode n = io.salespulse.contract.Json.MAPPER.createObjectNode();
        n.put("outlets", outlets.size()).put("competitor_outlets", competitors())
                .put("positioned_visits", positionedVisits)
                .put("unknown_customer_check_ins", unknownCustomerCheckIns);
        ArrayNode far = n.putArray("far_check_ins");
        new TreeSet<>(farCheckIns).forEach(far::add);
        ArrayNode unknown = n.putArray("customers_without_outlet");
        new TreeSet<>(customersWithoutOutlet).forEach(unknown::add);
        return n;
    }
}
