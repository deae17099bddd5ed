package io.salespulse.cli.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salespulse.cli.routes.RoutePlanner.Candidate;
import io.salespulse.cli.routes.RoutePlanner.Plan;
import io.salespulse.cli.routes.RoutePlanner.Point;
import io.salespulse.cli.routes.RoutePlanner.Reason;
import io.salespulse.cli.routes.RoutePlanner.Stop;
import io.salespulse.contract.Topics;
import io.salespulse.producers.places.Outlet;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The planner alone: who gets on the list, the order, the distances; on random customers and a simulated team. */
class RoutePlannerTest {
    private static final Point HANGZHOU = new Point(30.27, 120.15);

    @Test
    void haversineMatchesAKnownDistance() {
        // Two points of Hangzhou 3.3 km apart north-south and 6.0 km east-west: 6.9 km as the crow flies.
        assertThat(RoutePlanner.km(new Point(30.2905, 120.2128), new Point(30.2610, 120.1500))).isCloseTo(6.9, within(0.3));
        assertThat(RoutePlanner.km(new Point(0, 0), new Point(0, 1))).isCloseTo(111.195, within(0.01));
        assertThat(RoutePlanner.km(HANGZHOU, HANGZHOU)).isZero();
    }

    @Test
    void priorityDecidesWhoIsOnTheListGeographyOnlyTheOrder() {
        Random r = new Random(7);
        List<Candidate> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Reason reason = i < 5 ? Reason.OVERDUE : i < 12 ? Reason.HIGH_POTENTIAL : Reason.DUE_FOR_VISIT;
            // The overdue customers far away (15-20 km), the others around the start.
            double radius = reason == Reason.OVERDUE ? 0.15 + 0.05 * r.nextDouble() : 0.03 * r.nextDouble();
            double angle = 2 * Math.PI * r.nextDouble();
            all.add(new Candidate("c-" + i, new Point(HANGZHOU.lat() + radius * Math.sin(angle),
                    HANGZHOU.lon() + radius * Math.cos(angle)), reason, reason == Reason.OVERDUE ? 10 + i : 0, 100 + i));
        }
        Plan plan = RoutePlanner.plan(HANGZHOU, all, 8);
        assertThat(plan.stops()).hasSize(8);
        assertThat(plan.stops()).extracting(s -> s.customer().customerId())
                .as("every overdue customer, then the three high-potential ones longest without contact")
                .containsExactlyInAnyOrder("c-0", "c-1", "c-2", "c-3", "c-4", "c-11", "c-10", "c-9");
        assertThat(plan.stops()).extracting(Stop::seq).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(plan.stops().stream().mapToDouble(Stop::legKm).sum()).isCloseTo(plan.totalKm(), within(1e-9));
        assertThat(plan.stops().get(0).legKm()).isCloseTo(RoutePlanner.km(HANGZHOU, plan.stops().get(0).customer().at()),
                within(1e-9));

        // With fewer stops than overdue customers, only overdue ones, the longest overdue.
        assertThat(RoutePlanner.plan(HANGZHOU, all, 3).stops()).extracting(s -> s.customer().customerId())
                .containsExactlyInAnyOrder("c-4", "c-3", "c-2");
        // More stops than candidates: all of them.
        assertThat(RoutePlanner.plan(HANGZHOU, all.subList(0, 4), 8).stops()).hasSize(4);
    }

    @Test
    void twoOptIsNeverLongerThanNearestNeighbourAndBeatsPriorityOrder() {
        Random r = new Random(11);
        int shorter = 0;
        for (int round = 0; round < 200; round++) {
            List<Candidate> stops = new ArrayList<>();
            for (int i = 0; i < 3 + r.nextInt(10); i++) {
                stops.add(new Candidate("c-" + i, new Point(HANGZHOU.lat() + 0.1 * r.nextGaussian(),
                        HANGZHOU.lon() + 0.1 * r.nextGaussian()), Reason.DUE_FOR_VISIT, 0, i));
            }
            List<Candidate> nn = RoutePlanner.nearestNeighbour(HANGZHOU, stops);
            List<Candidate> opt = RoutePlanner.twoOpt(HANGZHOU, nn);
            assertThat(opt).containsExactlyInAnyOrderElementsOf(stops);
            double nnKm = RoutePlanner.pathKm(HANGZHOU, nn);
            double optKm = RoutePlanner.pathKm(HANGZHOU, opt);
            assertThat(optKm).as("2-opt after nearest neighbour, round " + round).isLessThanOrEqualTo(nnKm + 1e-9);
            shorter += optKm < nnKm - 1e-9 ? 1 : 0;
        }
        assertThat(shorter).as("rounds where 2-opt improved on nearest neighbour").isGreaterThan(0);
    }

    @Test
    void usualStartIsTheMedianFirstCheckInElseTheCustomersCentroid() {
        List<Point> firsts = List.of(new Point(30.20, 120.10), new Point(30.30, 120.20), new Point(30.25, 120.15),
                new Point(31.50, 121.50)); // one day that began in Shanghai moves the median little
        Point start = RoutePlanner.usualStart(firsts, List.of());
        assertThat(start.lat()).isCloseTo(30.275, within(1e-9));
        assertThat(start.lon()).isCloseTo(120.175, within(1e-9));
        Point centroid = RoutePlanner.usualStart(List.of(), List.of(new Point(30.0, 120.0), new Point(30.2, 120.4)));
        assertThat(centroid.lat()).isCloseTo(30.1, within(1e-9));
        assertThat(centroid.lon()).isCloseTo(120.2, within(1e-9));
    }

    /**
     * Every rep of a simulated small team (seed 42, 3 weeks), each customer with the simulator's outlet and a reason
     * by a fixed draw: the plan is strictly shorter than visiting the same stops in priority order.
     */
    @Test
    void onASimulatedTeamThePlanIsShorterThanPriorityOrder() throws Exception {
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary s = new Simulator(SimulationSettings.builder().scenario(Scenario.SMALL_TEAM).seed(42)
                .duration(Duration.ofDays(21)).end(Instant.parse("2026-12-02T12:00:00Z")).build()).run(sink);
        Map<String, Outlet> outlets = new HashMap<>();
        s.places().outlets().stream().filter(o -> o.kind().equals(Outlet.CUSTOMER)).forEach(o -> outlets.put(o.outletId(), o));
        Map<String, String> repOf = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (InMemoryEventSink.SentRecord rec : sink.records()) {
            if (rec.topic().equals(Topics.VISITS)) {
                JsonNode v;
                try {
                    v = json.readTree(rec.value());
                } catch (java.io.IOException e) {
                    continue; // the simulator's malformed records
                }
                if (v.hasNonNull("customer_id") && v.hasNonNull("rep_id")) {
                    repOf.put(v.path("customer_id").asText(), v.path("rep_id").asText());
                }
            }
        }
        Map<String, List<Candidate>> byRep = new TreeMap<>();
        Random r = new Random(3);
        repOf.forEach((customer, rep) -> {
            Outlet o = outlets.get(customer);
            if (o != null) {
                int draw = r.nextInt(10);
                Reason reason = draw < 2 ? Reason.OVERDUE : draw < 4 ? Reason.HIGH_POTENTIAL : Reason.DUE_FOR_VISIT;
                byRep.computeIfAbsent(rep, k -> new ArrayList<>()).add(new Candidate(customer, new Point(o.lat(), o.lon()),
                        reason, reason == Reason.OVERDUE ? r.nextInt(200) : 0, r.nextInt(500)));
            }
        });
        assertThat(byRep).hasSizeGreaterThan(3);
        double planned = 0;
        double priority = 0;
        for (Map.Entry<String, List<Candidate>> e : byRep.entrySet()) {
            Point start = RoutePlanner.usualStart(List.of(), e.getValue().stream().map(Candidate::at).toList());
            Plan plan = RoutePlanner.plan(start, e.getValue(), 8);
            assertThat(plan.totalKm()).as("km of " + e.getKey()).isLessThan(plan.priorityOrderKm());
            planned += plan.totalKm();
            priority += plan.priorityOrderKm();
        }
        System.out.printf("simulated team: %d reps, %.1f km planned, %.1f km in priority order%n", byRep.size(), planned,
                priority);
    }
}
