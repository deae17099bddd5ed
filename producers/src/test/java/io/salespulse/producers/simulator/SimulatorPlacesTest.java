package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.EventParser;
import io.salespulse.contract.Topics;
import io.salespulse.contract.VisitEvent;
import io.salespulse.producers.places.Outlet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The simulated places: outlets around Hangzhou, check-ins with accuracy, and the ground truth of far check-ins. */
class SimulatorPlacesTest {

    @Test
    void farCheckInsAreExactlyTheOnesPlacedFarFromTheirOutlet() throws Exception {
        SimulationRuns.Run run = SimulationRuns.run(SimulationRuns.smallTeam().seed(42).build());
        SimulatedPlaces places = run.summary().places();
        Map<String, Outlet> customers = new HashMap<>();
        for (Outlet o : places.outlets()) {
            assertThat(o.lat()).as("latitude of %s, around Hangzhou", o).isBetween(30.1, 30.45);
            assertThat(o.lon()).as("longitude of %s", o).isBetween(119.9, 120.4);
            if (o.kind().equals(Outlet.CUSTOMER)) {
                customers.put(o.outletId(), o);
            }
        }
        assertThat(places.competitors()).isEqualTo(12);
        assertThat(customers).isNotEmpty();

        EventParser parser = new EventParser(Duration.ofHours(1));
        Set<String> far = new HashSet<>();
        Set<String> unknownCustomer = new HashSet<>();
        long positioned = 0;
        long unknownCheckIns = 0;
        for (SimulationRuns.Valid v : run.valid()) {
            if (!v.topic().equals(Topics.VISITS) || !v.json().has("lat")) {
                continue;
            }
            // The contract's own check: the simulated positions are valid input.
            VisitEvent e = parser.parseVisit(v.json().toString().getBytes(StandardCharsets.UTF_8),
                    v.record().timestampMillis());
            positioned++;
            assertThat(e.accuracy).isBetween(5.0, 60.0);
            assertThat(e.photo).startsWith("oss://");
            Outlet outlet = customers.get(e.customerId);
            if (outlet == null) {
                unknownCustomer.add(e.customerId);
                unknownCheckIns++;
                continue;
            }
            double metres = Outlet.metres(e.lat, e.lon, outlet.lat(), outlet.lon());
            if (metres - e.accuracy > 500) {
                far.add(e.eventId);
                assertThat(metres).as("far check-in %s", e.eventId).isBetween(780.0, 3_020.0);
            } else {
                assertThat(metres).as("check-in %s at its outlet", e.eventId).isLessThan(100.0);
            }
        }
        assertThat(positioned).isEqualTo(places.positionedVisits());
        assertThat(far).as("check-ins far from their outlet").isEqualTo(places.farCheckIns());
        assertThat(unknownCheckIns).isEqualTo(places.unknownCustomerCheckIns());
        assertThat((double) places.farCheckIns().size() / positioned).as("share of far check-ins").isBetween(0.005, 0.05);
        assertThat(places.customersWithoutOutlet()).containsAll(unknownCustomer);
        assertThat(run.summary().groundTruthJson().path("places").path("far_check_ins").size())
                .isEqualTo(places.farCheckIns().size());
    }
}
