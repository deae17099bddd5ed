package io.salespulse.producers.simulator;

import java.util.List;

/**
 * The shape of the simulated sales organisation, from our reference customers (the scenario table of
 * docs/simulator.md). Customer counts are per three weeks and scale with the simulated duration.
 */
public enum Scenario {
    /** The demo: one FMCG distributor branch in Hangzhou. */
    SMALL_TEAM(List.of("hz-west", "hz-east"), 4, 12, 40, 300),
    /** The regional FMCG distributor (East China) with its 37 reps. */
    FMCG_DISTRIBUTOR(List.of("hz-west", "hz-east", "hz-north", "hz-south"), 8, 37, 150, 900),
    /**
     * The Hangzhou food chain: 42 stores, 5 region managers, 12 store supervisors (one team each),
     * 186 sales guides. Coarse: guides are modelled like reps.
     */
    FOOD_CHAIN(List.of("hz-west", "hz-east", "hz-north", "hz-south", "hz-central"), 12, 186, 42, 2800);

    private final List<String> regions;
    private final int teams;
    private final int reps;
    private final int stores;
    private final int customersPerThreeWeeks;

    Scenario(List<String> regions, int teams, int reps, int stores, int customersPerThreeWeeks) {
        this.regions = regions;
        this.teams = teams;
        this.reps = reps;
        this.stores = stores;
        this.customersPerThreeWeeks = customersPerThreeWeeks;
    }

    public List<String> regions() {
        return regions;
    }

    public int teams() {
        return teams;
    }

    public int reps() {
        return reps;
    }

    public int stores() {
        return stores;
    }

    public int customersPerThreeWeeks() {
        return customersPerThreeWeeks;
    }
}
