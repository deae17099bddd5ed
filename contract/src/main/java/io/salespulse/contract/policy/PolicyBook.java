package io.salespulse.contract.policy;

import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.StageSla;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The current policy of every scope, for readers of {@code sales.policies} other than the monitor job (the
 * funnel job, the notifier). A record changes the book under the monitor job's rules, so that every reader
 * ends up with the same policies: a valid document replaces its scope's policy only with a higher version
 * (the same document again changes nothing), a tombstone removes the scope, and an invalid or stale
 * document never replaces a valid one. Rejections are not reported here: the monitor job dead-letters them.
 * Not thread-safe.
 */
public final class PolicyBook {
    private final PolicyParser parser;
    private final Map<String, Policy> policies = new HashMap<>();

    public PolicyBook(PolicyParser parser) {
        this.parser = parser;
    }

    /**
     * Applies one record of {@code sales.policies} ({@code value} null for a tombstone). Returns whether the
     * book changed; throws for a record the monitor job would dead-letter (invalid, or a stale version).
     */
    public boolean apply(String key, byte[] value) throws InvalidEventException {
        String scope = PolicyParser.scope(key);
        Policy before = policies.get(scope);
        if (value == null) {
            return policies.remove(scope) != null;
        }
        Policy after = parser.parse(scope, value);
        if (before != null && after.version() <= before.version()) {
            if (after.version() == before.version() && after.json().equals(before.json())) {
                return false; // the same document again (a producer retry)
            }
            throw new InvalidEventException("stale_version", "version " + after.version() + " of scope '" + scope
                    + "' is not newer than the current version " + before.version());
        }
        policies.put(scope, after);
        return true;
    }

    /** Puts back a policy this book accepted before (from checkpointed state), without the version check. */
    public void restore(String scope, String json) throws InvalidEventException {
        policies.put(scope, parser.parse(scope, json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The scope's own policy, or null. */
    public Policy get(String scope) {
        return policies.get(scope);
    }

    public Map<String, Policy> all() {
        return Collections.unmodifiableMap(policies);
    }

    /**
     * The policy for an owner; {@code region} or {@code team} null stops the chain there (a region-level
     * decision is not changed by a team's policy).
     */
    public EffectivePolicy resolve(StageSla defaults, String tenant, String region, String team) {
        int depth = region == null ? 1 : team == null ? 2 : 3;
        return EffectivePolicy.resolve(defaults, scope -> Policy.depth(scope) <= depth ? policies.get(scope) : null,
                tenant, String.valueOf(region), String.valueOf(team));
    }
}
