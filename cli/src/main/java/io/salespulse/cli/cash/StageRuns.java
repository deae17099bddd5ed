package io.salespulse.cli.cash;

import io.salespulse.cli.cash.CashBook.Opportunity;
import io.salespulse.contract.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Customers' runs through the stages, from their cards read customer by customer in time order: a run records when it
 * first reached each stage and the latest deal value; a won or lost closing ends it and the next card starts another.
 * What is still running at a customer's last card is an open opportunity.
 */
public final class StageRuns {
    private final List<Opportunity> runs = new ArrayList<>();
    private String customer;
    private String region;
    private Instant[] reached;
    private Double value;

    /** Adds a card; a card without a known stage is skipped. */
    public void card(String customerId, String cardRegion, Stage stage, String outcome, Double dealValue, Instant at) {
        if (stage == null) {
            return;
        }
        if (!customerId.equals(customer)) {
            endOpen();
            customer = customerId;
            region = cardRegion;
            reached = new Instant[Stage.values().length];
            value = null;
        }
        if (reached[stage.ordinal()] == null) {
            reached[stage.ordinal()] = at;
        }
        if (dealValue != null) {
            value = dealValue;
        }
        if (stage == Stage.CLOSING && ("won".equals(outcome) || "lost".equals(outcome))) {
            runs.add(new Opportunity(customer, region, Arrays.asList(reached), "won".equals(outcome) ? at : null,
                    "lost".equals(outcome) ? at : null, value));
            reached = new Instant[Stage.values().length];
            value = null;
        }
    }

    /** Every run, the open ones included. */
    public List<Opportunity> finish() {
        endOpen();
        customer = null;
        return runs;
    }

    private void endOpen() {
        if (reached != null && Arrays.stream(reached).anyMatch(x -> x != null)) {
            runs.add(new Opportunity(customer, region, Arrays.asList(reached), null, null, value));
        }
        reached = null;
    }
}
