package io.salespulse.producers.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * How big a simulated tenant is: its regions, teams, reps, stores and how many customers start an
 * opportunity every three weeks. Built from a {@link Scenario}, or {@link #synthetic} for larger tenants
 * shaped like the FMCG distributor (about 5 reps a team, 2 teams a region, 4 stores and 24 new
 * customers per rep every three weeks).
 */
public record TenantSize(List<String> regions, int teams, int reps, int stores, int customersPerThreeWeeks) {

    public TenantSize {
        regions = List.copyOf(regions);
    }

    public static TenantSize of(Scenario scenario) {
        return new TenantSize(scenario.regions(), scenario.teams(), scenario.reps(), scenario.stores(),
                scenario.customersPerThreeWeeks());
    }

    /** A synthetic tenant with {@code reps} reps (1 .. 100,000). */
    public static TenantSize synthetic(int reps) {
        if (reps < 1 || reps > 100_000) {
            throw new IllegalArgumentException("simulation setting 'reps' must be between 1 and 100000, got " + reps);
        }
        int teams = (reps + 4) / 5;
        int regionCount = (teams + 1) / 2;
        List<String> regions = new ArrayList<>();
        for (int i = 1; i <= regionCount; i++) {
            regions.add(String.format("region-%02d", i));
        }
        return new TenantSize(regions, teams, reps, reps * 4, reps * 24);
    }
}
