package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link Injection}s amount to in the records actually sent: the exact findings a correct
 * pipeline must make. Counted from the generated records, not from the injection's parameters, so a test
 * can assert equality (e.g. the repeated objections list every case in the history, natural ones too).
 */
public record GroundTruth(
        List<ConversionDrop> conversionDrops,
        List<Injection.PolicyRollout> policyRollouts,
        List<RepeatedObjection> repeatedObjections,
        List<MalformedBurst> malformedBursts) {

    public static final GroundTruth NONE = new GroundTruth(List.of(), List.of(), List.of(), List.of());

    public GroundTruth {
        conversionDrops = List.copyOf(conversionDrops);
        policyRollouts = List.copyOf(policyRollouts);
        repeatedObjections = List.copyOf(repeatedObjections);
        malformedBursts = List.copyOf(malformedBursts);
    }

    /**
     * Proposal cards and how many advanced. A proposal counts when its full SLA lies within the history
     * ({@code occurred_at + SLA(proposal) <= end}); it advanced when the customer's next card is a later
     * stage of the same opportunity (objection or closing), at any time before the end.
     */
    public record Conversion(long proposals, long advanced) {
        public double rate() {
            return proposals == 0 ? Double.NaN : (double) advanced / proposals;
        }
    }

    /**
     * @param region the region whose proposals convert less from {@code from} on
     * @param configuredRate the injection's advance probability
     * @param regionBefore the region's proposals before {@code from}
     * @param regionAfter the region's proposals from {@code from} on
     * @param otherRegionsAfter every other region's proposals from {@code from} on (the comparison)
     */
    public record ConversionDrop(String region, Instant from, double configuredRate, Conversion regionBefore,
            Conversion regionAfter, Conversion otherRegionsAfter) {}

    /**
     * A rep filed the same objection tag at least 3 times on one customer within one opportunity (the
     * objection cards of an opportunity are consecutive: no closing between them).
     *
     * @param thirdAt when the third such card was filed: the earliest moment a coaching rule can fire
     * @param injected whether this case was planted ({@link Injection.RepeatedObjection}) or arose naturally
     */
    public record RepeatedObjection(String customerId, String repId, String region, String team, String tag,
            int count, Instant thirdAt, boolean injected) {}

    /** @param byErrorCode the dead-letter error codes the contract parser gives these records */
    public record MalformedBurst(Instant at, int count, Map<String, Long> byErrorCode) {
        public MalformedBurst {
            byErrorCode = Collections.unmodifiableMap(new LinkedHashMap<>(byErrorCode));
        }
    }

    public boolean isEmpty() {
        return conversionDrops.isEmpty() && policyRollouts.isEmpty() && repeatedObjections.isEmpty()
                && malformedBursts.isEmpty();
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode drops = root.putArray("conversion_drops");
        for (ConversionDrop d : conversionDrops) {
            ObjectNode n = drops.addObject();
            n.put("region", d.region());
            n.put("stage", "proposal");
            n.put("from", d.from().toString());
            n.put("configured_rate", d.configuredRate());
            conversion(n.putObject("region_before"), d.regionBefore());
            conversion(n.putObject("region_after"), d.regionAfter());
            conversion(n.putObject("other_regions_after"), d.otherRegionsAfter());
        }
        ArrayNode policies = root.putArray("policy_rollouts");
        for (Injection.PolicyRollout p : policyRollouts) {
            ObjectNode n = policies.addObject();
            n.put("at", p.at().toString());
            if (p.region() == null) {
                n.putNull("region");
            } else {
                n.put("region", p.region());
            }
            n.put("description", p.description());
        }
        ArrayNode repeated = root.putArray("repeated_objections");
        for (RepeatedObjection r : repeatedObjections) {
            ObjectNode n = repeated.addObject();
            n.put("customer_id", r.customerId());
            n.put("rep_id", r.repId());
            n.put("region", r.region());
            n.put("team", r.team());
            n.put("objection_tag", r.tag());
            n.put("count", r.count());
            n.put("third_at", r.thirdAt().toString());
            n.put("injected", r.injected());
        }
        ArrayNode bursts = root.putArray("malformed_bursts");
        for (MalformedBurst b : malformedBursts) {
            ObjectNode n = bursts.addObject();
            n.put("at", b.at().toString());
            n.put("count", b.count());
            ObjectNode codes = n.putObject("by_error_code");
            b.byErrorCode().forEach(codes::put);
        }
        return root;
    }

    private static void conversion(ObjectNode n, Conversion c) {
        n.put("proposals", c.proposals());
        n.put("advanced", c.advanced());
        if (c.proposals() > 0) {
            n.put("rate", Math.round(c.rate() * 10_000) / 10_000.0);
        }
    }

    /** Writes {@link #toJson()} (pretty-printed) to {@code file}. */
    public void writeTo(Path file) throws IOException {
        write(file, toJson());
    }

    /** Writes {@code json} pretty-printed to {@code file}, creating its directory. */
    static void write(Path file, JsonNode json) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    }
}
