package io.salespulse.notifier.routing;

/**
 * What routing and escalation rules can match on. {@code level} is where in the chain the alert is:
 * {@code team} for an alert as the pipeline raised it, then {@code region}, then {@code director} for its
 * escalations.
 */
public record AlertFacts(String tenant, String region, String team, String type, String severity, String level) {}
