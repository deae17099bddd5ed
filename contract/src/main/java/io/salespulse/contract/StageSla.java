package io.salespulse.contract;

import java.io.Serializable;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Time allowed after a stage card until the NEXT stage card is submitted. Defaults are the contract's;
 * {@link #parse} reads overrides such as {@code needs=48h,proposal=5d}.
 */
public final class StageSla implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EnumMap<Stage, Duration> limits;

    private StageSla(EnumMap<Stage, Duration> limits) {
        this.limits = limits;
    }

    public static StageSla defaults() {
        EnumMap<Stage, Duration> m = new EnumMap<>(Stage.class);
        m.put(Stage.CONTACT, Duration.ofHours(48));
        m.put(Stage.NEEDS, Duration.ofHours(72));
        m.put(Stage.PROPOSAL, Duration.ofHours(120));
        m.put(Stage.OBJECTION, Duration.ofHours(72));
        m.put(Stage.CLOSING, Duration.ofHours(168));
        return new StageSla(m);
    }

    /** The defaults with the given {@code stage=duration} pairs (comma separated) replaced. */
    public static StageSla parse(String overrides) {
        StageSla sla = defaults();
        if (overrides == null || overrides.isBlank()) {
            return sla;
        }
        for (String pair : overrides.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("'" + pair.trim() + "' is not stage=duration");
            }
            Stage stage = Stage.fromCode(kv[0].trim()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown stage '" + kv[0].trim() + "' (stages: " + Stage.codes() + ")"));
            Duration d = Durations.parse(kv[1]);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("SLA for " + stage.code() + " must be positive");
            }
            sla = sla.with(stage, d);
        }
        return sla;
    }

    public StageSla with(Stage stage, Duration limit) {
        EnumMap<Stage, Duration> m = new EnumMap<>(limits);
        m.put(stage, limit);
        return new StageSla(m);
    }

    public Duration of(Stage stage) {
        return limits.get(stage);
    }

    public Duration longest() {
        return limits.values().stream().max(Duration::compareTo).orElseThrow();
    }

    public Map<Stage, Duration> asMap() {
        return new EnumMap<>(limits);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        limits.forEach((s, d) -> sb.append(sb.length() == 0 ? "" : ",").append(s.code()).append('=')
                .append(Durations.format(d)));
        return sb.toString();
    }
}
