package io.salespulse.producers.simulator;

import io.salespulse.contract.StageSla;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything that determines a simulation: the same settings give byte-identical output.
 * The history covers {@code [end - duration, end]}; the demo passes "now" as {@code end}.
 */
public final class SimulationSettings {
    /** The field-traffic defaults when it is switched on: see {@link FieldArrivals}. */
    public static final double DEFAULT_OFFLINE_REPS = 0.15;
    public static final double DEFAULT_RETRY_RATE = 0.02;

    private final String tenant;
    private final Scenario scenario;
    private final TenantSize size;
    private final long seed;
    private final Instant end;
    private final Duration duration;
    private final double malformedRate;
    private final double duplicateRate;
    private final double slaMissRate;
    private final double lastMinuteShare;
    private final double ackRate;
    private final StageSla sla;
    private final List<Injection> injections;
    private final double offlineReps;
    private final double retryRate;
    private final Duration offlineGrace;
    private final int erpHistoryMonths;

    private SimulationSettings(Builder b) {
        this.tenant = b.tenant;
        this.scenario = b.scenario;
        this.size = b.reps != 0 ? TenantSize.synthetic(b.reps) : TenantSize.of(b.scenario);
        this.seed = b.seed;
        this.end = b.end;
        this.duration = b.duration;
        this.malformedRate = b.malformedRate;
        this.duplicateRate = b.duplicateRate;
        this.slaMissRate = b.slaMissRate;
        this.lastMinuteShare = b.lastMinuteShare;
        this.ackRate = b.ackRate;
        this.sla = b.sla;
        this.injections = List.copyOf(b.injections);
        this.offlineReps = b.offlineReps;
        this.retryRate = b.retryRate;
        this.offlineGrace = b.offlineGrace;
        this.erpHistoryMonths = b.erpHistoryMonths;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String tenant() {
        return tenant;
    }

    public Scenario scenario() {
        return scenario;
    }

    /** The tenant's size: the scenario's, or a synthetic one when {@code reps} was set. */
    public TenantSize size() {
        return size;
    }

    public long seed() {
        return seed;
    }

    /** The end of the simulated history, truncated to whole seconds. */
    public Instant end() {
        return end;
    }

    public Duration duration() {
        return duration;
    }

    public Instant start() {
        return end.minus(duration);
    }

    public double malformedRate() {
        return malformedRate;
    }

    public double duplicateRate() {
        return duplicateRate;
    }

    public double slaMissRate() {
        return slaMissRate;
    }

    /**
     * Share of the next cards filed in time that are filed in the last hours before the due time (0 by default:
     * on-time cards then come well before it). Reps who watch the countdown act late; those are the cards an
     * offline phone can upload after the due time.
     */
    public double lastMinuteShare() {
        return lastMinuteShare;
    }

    public double ackRate() {
        return ackRate;
    }

    public StageSla sla() {
        return sla;
    }

    /** What is planted into the history on purpose (none by default); see {@link GroundTruth}. */
    public List<Injection> injections() {
        return injections;
    }

    /** Share of reps whose phones go offline now and then, queueing their records (0 = off); see {@link FieldArrivals}. */
    public double offlineReps() {
        return offlineReps;
    }

    /** Share of field records the app sends again later, same bytes and event_id (0 = off); see {@link FieldArrivals}. */
    public double retryRate() {
        return retryRate;
    }

    /**
     * Whether records arrive later than they occurred (offline queues, app retries). Off by default: every record
     * then arrives at its {@code occurred_at}, which is also its Kafka timestamp.
     */
    public boolean fieldTraffic() {
        return offlineReps > 0 || retryRate > 0;
    }

    /**
     * The pipeline's {@code offline_grace} the ground truth assumes (default 0). It changes no record: only which
     * alerts a correct pipeline has emitted and retracted by the end.
     */
    public Duration offlineGrace() {
        return offlineGrace;
    }

    /** Months of the ERP's accounts before the window (lead to cash's past, see {@code CashSimulation}); 0: none. */
    public int erpHistoryMonths() {
        return erpHistoryMonths;
    }

    @Override
    public String toString() {
        return "tenant=" + tenant + ", scenario=" + scenario + (size.reps() != scenario.reps() || !size.regions().equals(scenario.regions())
                ? ", reps=" + size.reps() : "") + ", seed=" + seed + ", end=" + end
                + ", duration=" + duration + ", malformedRate=" + malformedRate + ", duplicateRate="
                + duplicateRate + ", slaMissRate=" + slaMissRate + ", ackRate=" + ackRate + ", sla=" + sla
                // Only when present: the run tag (a hash of this text) of plain runs stays what it was.
                + (injections.isEmpty() ? "" : ", injections=" + injections)
                + (lastMinuteShare > 0 ? ", lastMinuteShare=" + lastMinuteShare : "")
                + (fieldTraffic() ? ", offlineReps=" + offlineReps + ", retryRate=" + retryRate : "")
                + (erpHistoryMonths > 0 ? ", erpHistoryMonths=" + erpHistoryMonths : "");
    }

    public static final class Builder {
        private String tenant = "weijiang";
        private Scenario scenario = Scenario.SMALL_TEAM;
        private int reps;
        private long seed = 42L;
        private Instant end;
        private Duration duration = Duration.ofDays(21);
        private double malformedRate = 0.01;
        private double duplicateRate = 0.02;
        private double slaMissRate = 0.25;
        private double lastMinuteShare;
        private double ackRate = 0.8;
        private StageSla sla = StageSla.defaults();
        private final List<Injection> injections = new ArrayList<>();
        private double offlineReps;
        private double retryRate;
        private Duration offlineGrace = Duration.ZERO;
        private int erpHistoryMonths;

        private Builder() {}

        /** Months of the ERP's accounts before the window, 0 (none) to 24. */
        public Builder erpHistoryMonths(int months) {
            this.erpHistoryMonths = months;
            return this;
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        /** A synthetic tenant of this many reps instead of the scenario's size (0 = the scenario's). */
        public Builder reps(int reps) {
            this.reps = reps;
            return this;
        }

        public Builder scenario(Scenario scenario) {
            this.scenario = scenario;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder end(Instant end) {
            this.end = end;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public Builder malformedRate(double rate) {
            this.malformedRate = rate;
            return this;
        }

        public Builder duplicateRate(double rate) {
            this.duplicateRate = rate;
            return this;
        }

        public Builder slaMissRate(double rate) {
            this.slaMissRate = rate;
            return this;
        }

        /** Share of on-time next cards filed in the last hours before the due time (default 0). */
        public Builder lastMinuteShare(double share) {
            this.lastMinuteShare = share;
            return this;
        }

        public Builder ackRate(double rate) {
            this.ackRate = rate;
            return this;
        }

        public Builder sla(StageSla sla) {
            this.sla = sla;
            return this;
        }

        /** Share of reps with offline spells (0 = none; {@link #DEFAULT_OFFLINE_REPS} when switched on). */
        public Builder offlineReps(double share) {
            this.offlineReps = share;
            return this;
        }

        /** Share of field records sent again later (0 = none; {@link #DEFAULT_RETRY_RATE} when switched on). */
        public Builder retryRate(double rate) {
            this.retryRate = rate;
            return this;
        }

        /** The {@code offline_grace} the ground truth assumes; changes no record. */
        public Builder offlineGrace(Duration grace) {
            this.offlineGrace = grace;
            return this;
        }

        public Builder inject(Injection injection) {
            this.injections.add(Objects.requireNonNull(injection, "injection"));
            return this;
        }

        /**
         * Adds an injection in its command-line form ({@link Injection#parse}); relative times ({@code day+N})
         * count from the history's start, so set {@code end} and {@code duration} first.
         */
        public Builder inject(String spec) {
            if (end == null) {
                throw new IllegalArgumentException("simulation setting 'end' must be set before injections");
            }
            Instant start = end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(duration);
            return inject(Injection.parse(spec, start));
        }

        /** @throws IllegalArgumentException naming the first bad setting */
        public SimulationSettings build() {
            if (tenant == null || !tenant.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalArgumentException("simulation setting 'tenant' must be lower-case letters, digits, "
                        + "'-' or '_' (it is part of alert ids), got '" + tenant + "'");
            }
            Objects.requireNonNull(scenario, "simulation setting 'scenario' is required (one of SMALL_TEAM, "
                    + "FMCG_DISTRIBUTOR, FOOD_CHAIN)");
            if (end == null) {
                throw new IllegalArgumentException("simulation setting 'end' is required: the instant the "
                        + "simulated history ends (the demo passes now)");
            }
            end = end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            if (duration == null || duration.compareTo(Duration.ofHours(1)) < 0
                    || duration.compareTo(Duration.ofDays(366)) > 0) {
                throw new IllegalArgumentException("simulation setting 'duration' must be between 1 hour and 366 "
                        + "days, got " + duration);
            }
            if (erpHistoryMonths < 0 || erpHistoryMonths > 24) {
                throw new IllegalArgumentException("simulation setting 'erpHistoryMonths' must be between 0 and 24, got "
                        + erpHistoryMonths);
            }
            requireRate("malformedRate", malformedRate);
            requireRate("duplicateRate", duplicateRate);
            requireRate("slaMissRate", slaMissRate);
            requireRate("lastMinuteShare", lastMinuteShare);
            requireRate("ackRate", ackRate);
            requireRate("offlineReps", offlineReps);
            requireRate("retryRate", retryRate);
            if (offlineGrace == null || offlineGrace.isNegative() || offlineGrace.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("simulation setting 'offlineGrace' must be between 0 and 7 days, got "
                        + offlineGrace);
            }
            Objects.requireNonNull(sla, "simulation setting 'sla' must not be null (use StageSla.defaults())");
            for (Injection i : injections) {
                validate(i);
            }
            return new SimulationSettings(this);
        }

        private void validate(Injection injection) {
            Instant start = end.minus(duration);
            if (injection instanceof Injection.ConversionDrop d) {
                requireRegion(d.region(), d);
                requireWithin(d.from(), start, end, d);
                requireRate("injection conversion-drop rate", d.rate());
            } else if (injection instanceof Injection.PolicyRollout p) {
                if (p.region() != null) {
                    requireRegion(p.region(), p);
                }
                requireWithin(p.at(), start, end, p);
                if (p.description() == null || p.description().isBlank()) {
                    throw new IllegalArgumentException("simulation setting 'injections': " + p
                            + " needs a description");
                }
            } else if (injection instanceof Injection.RepeatedObjection r) {
                int reps = this.reps > 0 ? this.reps : scenario.reps();
                if (!r.repId().matches("r-\\d{3}") || Integer.parseInt(r.repId().substring(2)) < 1
                        || Integer.parseInt(r.repId().substring(2)) > reps) {
                    throw new IllegalArgumentException("simulation setting 'injections': rep '" + r.repId()
                            + "' does not exist in " + scenario + " (r-001 .. r-" + String.format("%03d", reps) + ")");
                }
                if (r.times() < 3 || r.times() > 20) {
                    throw new IllegalArgumentException("simulation setting 'injections': " + r
                            + ": times must be between 3 and 20");
                }
                // contact, needs and proposal a day apart, then one objection a day.
                requireWithin(r.at(), start, end.minus(Duration.ofDays(2L + r.times())), r);
            } else if (injection instanceof Injection.MalformedBurst m) {
                requireWithin(m.at(), start, end, m);
                if (m.count() < 1 || m.count() > 1_000_000) {
                    throw new IllegalArgumentException("simulation setting 'injections': " + m
                            + ": count must be between 1 and 1000000");
                }
            }
        }

        private void requireRegion(String region, Injection injection) {
            List<String> regions = reps > 0 ? TenantSize.synthetic(reps).regions() : scenario.regions();
            if (!regions.contains(region)) {
                throw new IllegalArgumentException("simulation setting 'injections': " + injection + ": region '"
                        + region + "' is not one of " + regions);
            }
        }

        private static void requireWithin(Instant t, Instant from, Instant to, Injection injection) {
            if (t.isBefore(from) || t.isAfter(to)) {
                throw new IllegalArgumentException("simulation setting 'injections': " + injection + " must lie within "
                        + from + " .. " + to);
            }
        }

        private static void requireRate(String key, double value) {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException(
                        "simulation setting '" + key + "' must be a fraction within [0, 1], got " + value);
            }
        }
    }
}
