package io.salespulse.cli.cash;

import io.salespulse.producers.simulator.Scenario;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The forecast's measured error (docs/cash.md, "How good it is"): {@code cash.seeds} simulated years (default 30) of a
 * mid-size distributor, cut every 19 days from week 20. Off in the normal build (about a second a seed):
 * <pre>
 * mvn -o -q -pl cli -am test -Dtest=CashForecastEvaluation -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcash.forecast-evaluate=true -Dcash.seeds=30
 * </pre>
 */
@EnabledIfSystemProperty(named = "cash.forecast-evaluate", matches = "true")
class CashForecastEvaluation {
    @Test
    void printsTheErrorTable() throws Exception {
        int seeds = Integer.getInteger("cash.seeds", 30);
        Scenario scenario = Scenario.valueOf(System.getProperty("cash.scenario", "FMCG_DISTRIBUTOR"));
        List<CashEvaluation.Outcome> outcomes = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            outcomes.addAll(CashEvaluation.run(scenario, seed, 52, b -> b));
        }
        System.out.println("Cash-flow forecast, " + scenario + ", " + seeds + " simulated years:");
        System.out.print(CashEvaluation.table(outcomes));
    }
}
