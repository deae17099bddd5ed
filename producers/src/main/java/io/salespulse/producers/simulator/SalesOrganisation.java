package io.salespulse.producers.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Regions, teams, reps, stores and customers of one simulated tenant, built from the scenario and seed. */
final class SalesOrganisation {
    private static final String[] MANAGER_NAMES = {"chen", "wang", "li", "zhang", "liu", "yang", "zhao", "huang"};
    /** Hangzhou centre; each region is a box east/west/north/south of it. */
    private static final double HZ_LAT = 30.27;
    private static final double HZ_LON = 120.15;

    record Region(String code, String manager, double lat, double lon) {}

    /**
     * @param scriptAdoption share of objection cards quoting a knowledge-base answer
     * @param objectionProneness how often this team runs into (repeated) objections
     */
    record Team(String id, Region region, double scriptAdoption, double objectionProneness) {}

    record Rep(String id, Team team, double activity) {}

    record Store(String id, Region region, double lat, double lon) {}

    record Customer(String id, Rep rep, Store store, boolean highPotential, Double dealValue) {}

    final List<Region> regions = new ArrayList<>();
    final List<Team> teams = new ArrayList<>();
    final List<Rep> reps = new ArrayList<>();
    final List<Store> stores = new ArrayList<>();

    SalesOrganisation(TenantSize scenario, SplittableRandom rnd) {
        List<String> codes = scenario.regions();
        for (int i = 0; i < codes.size(); i++) {
            double angle = 2 * Math.PI * i / codes.size();
            regions.add(new Region(codes.get(i), "u-" + MANAGER_NAMES[i % MANAGER_NAMES.length],
                    HZ_LAT + 0.06 * Math.sin(angle), HZ_LON - 0.08 * Math.cos(angle)));
        }
        for (int t = 0; t < scenario.teams(); t++) {
            Region region = regions.get(t % regions.size());
            // The first region is the one of the heatmap our reference customers showed us: many objections, few quoted answers.
            boolean struggling = region == regions.get(0) && t == 0;
            double adoption = struggling ? 0.55 : 0.66 + rnd.nextDouble() * 0.2;
            double proneness = struggling ? 1.4 : 0.9 + rnd.nextDouble() * 0.2;
            teams.add(new Team("t-" + (t + 1), region, adoption, proneness));
        }
        for (int r = 0; r < scenario.reps(); r++) {
            reps.add(new Rep(String.format("r-%03d", r + 1), teams.get(r % teams.size()),
                    0.6 + rnd.nextDouble() * 0.8));
        }
        int width = scenario.stores() >= 100 ? 3 : 2;
        for (int s = 0; s < scenario.stores(); s++) {
            Region region = regions.get(s % regions.size());
            stores.add(new Store(String.format("s-%0" + width + "d", s + 1), region,
                    round5(region.lat() + (rnd.nextDouble() - 0.5) * 0.06),
                    round5(region.lon() + (rnd.nextDouble() - 0.5) * 0.08)));
        }
    }

    /** A new customer of a rep chosen by activity, in a store of the rep's region. */
    Customer newCustomer(int index, SplittableRandom rnd) {
        double total = reps.stream().mapToDouble(Rep::activity).sum();
        double x = rnd.nextDouble() * total;
        Rep rep = reps.get(reps.size() - 1);
        for (Rep r : reps) {
            x -= r.activity();
            if (x < 0) {
                rep = r;
                break;
            }
        }
        Region region = rep.team().region();
        List<Store> local = stores.stream().filter(s -> s.region() == region).toList();
        Store store = local.isEmpty() ? stores.get(rnd.nextInt(stores.size())) : local.get(rnd.nextInt(local.size()));
        boolean highPotential = rnd.nextDouble() < 0.2;
        Double dealValue = highPotential ? (double) (6 + rnd.nextInt(155)) * 500.0 : null;
        return new Customer(String.format("c-%05d", index + 1), rep, store, highPotential, dealValue);
    }

    static double round5(double v) {
        return Math.round(v * 100_000.0) / 100_000.0;
    }
}
