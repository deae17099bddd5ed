package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Durations;
import io.salespulse.contract.StageSla;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.io.Serializable;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * The funnel job's thresholds and window shape, from {@link PipelineConfig} (validated there). The drop
 * threshold and minimum volume are the defaults that run-time policies override per tenant, region and team
 * ({@link FunnelPolicies}).
 */
public final class FunnelSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    static final long WEEK = Duration.ofDays(7).toMillis();

    public final long windowMs;
    public final long slideMs;
    public final long latenessMs;
    public final int baselineWeeks;
    /** Relative drop, as a fraction (0.15 = 15%). */
    public final double dropThreshold;
    public final int minEntered;
    /** Drops by the sequential test ({@link SequentialDropTest}) rather than the window z-test. */
    public final boolean sequential;
    /** The sequential test's log-likelihood ratio threshold. */
    public final double dropEvidence;
    public final double pValue;
    public final long recoveryMs;
    /** The drop must hold this long (consecutive window ends) before an episode opens. */
    public final long confirmMs;
    public final int repeatedObjections;
    /** As a fraction (0.6 = 60%). */
    public final double scriptAdoption;
    public final LocalTime digestTime;
    public final String zoneId;
    public final StageSla sla;
    /** The monitor job's {@code state.ttl}: the policy parser's longest SLA, so both jobs accept the same policies. */
    public final long stateTtlMs;
    /** History imports ({@link FunnelImports}): the imports topic, the arrival-time out-of-orderness, the unannounced timeout. */
    public final String importsTopic;
    public final long outOfOrdernessMs;
    public final long unannouncedImportTimeoutMs;

    public FunnelSettings(Duration window, Duration slide, Duration lateness, int baselineWeeks, double dropThresholdPct,
            int minEntered, double pValue, Duration confirm, Duration recovery, int repeatedObjections, double scriptAdoptionPct,
            LocalTime digestTime, ZoneId zone, StageSla sla) {
        this(window, slide, lateness, baselineWeeks, dropThresholdPct, minEntered, pValue, confirm, recovery,
                repeatedObjections, scriptAdoptionPct, digestTime, zone, sla,
                Durations.parse(Setting.STATE_TTL.defaultValue()));
    }

    public FunnelSettings(Duration window, Duration slide, Duration lateness, int baselineWeeks, double dropThresholdPct,
            int minEntered, double pValue, Duration confirm, Duration recovery, int repeatedObjections, double scriptAdoptionPct,
            LocalTime digestTime, ZoneId zone, StageSla sla, Duration stateTtl) {
        this(window, slide, lateness, baselineWeeks, dropThresholdPct, minEntered, pValue, confirm, recovery,
                repeatedObjections, scriptAdoptionPct, digestTime, zone, sla, stateTtl,
                Setting.TOPIC_IMPORTS.defaultValue(), Durations.parse(Setting.WATERMARK_OUT_OF_ORDERNESS.defaultValue()),
                Durations.parse(Setting.IMPORTS_UNANNOUNCED_TIMEOUT.defaultValue()));
    }

    public FunnelSettings(Duration window, Duration slide, Duration lateness, int baselineWeeks, double dropThresholdPct,
            int minEntered, double pValue, Duration confirm, Duration recovery, int repeatedObjections, double scriptAdoptionPct,
            LocalTime digestTime, ZoneId zone, StageSla sla, Duration stateTtl, String importsTopic,
            Duration outOfOrderness, Duration unannouncedImportTimeout) {
        this(window, slide, lateness, baselineWeeks, dropThresholdPct, minEntered, pValue, confirm, recovery,
                repeatedObjections, scriptAdoptionPct, digestTime, zone, sla, stateTtl, importsTopic, outOfOrderness,
                unannouncedImportTimeout, false, 10);
    }

    /** With the drop test: {@code sequential} and its {@code evidence}; the constructors above take the window test. */
    public FunnelSettings(Duration window, Duration slide, Duration lateness, int baselineWeeks, double dropThresholdPct,
            int minEntered, double pValue, Duration confirm, Duration recovery, int repeatedObjections, double scriptAdoptionPct,
            LocalTime digestTime, ZoneId zone, StageSla sla, Duration stateTtl, String importsTopic,
            Duration outOfOrderness, Duration unannouncedImportTimeout, boolean sequential, double evidence) {
        this.sequential = sequential;
        this.dropEvidence = evidence;
        this.windowMs = window.toMillis();
        this.slideMs = slide.toMillis();
        this.latenessMs = lateness.toMillis();
        this.baselineWeeks = baselineWeeks;
        this.dropThreshold = dropThresholdPct / 100.0;
        this.minEntered = minEntered;
        this.pValue = pValue;
        this.recoveryMs = recovery.toMillis();
        this.confirmMs = confirm.toMillis();
        this.repeatedObjections = repeatedObjections;
        this.scriptAdoption = scriptAdoptionPct / 100.0;
        this.digestTime = digestTime;
        this.zoneId = zone.getId();
        this.sla = sla;
        this.stateTtlMs = stateTtl.toMillis();
        this.importsTopic = importsTopic;
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.unannouncedImportTimeoutMs = unannouncedImportTimeout.toMillis();
    }

    public static FunnelSettings from(PipelineConfig c) {
        return new FunnelSettings(c.funnelWindow, c.funnelSlide, c.funnelAllowedLateness, c.funnelBaselineWeeks,
                c.funnelDropThreshold, c.funnelMinEntered, c.funnelDropPValue, c.funnelDropConfirm, c.funnelRecovery,
                c.coachingRepeatedObjections, c.coachingScriptAdoption, c.digestTime, c.timeZone, c.sla, c.stateTtl,
                c.topicImports, c.outOfOrderness, c.unannouncedImportTimeout, c.funnelSequentialDropTest,
                c.funnelDropEvidence);
    }

    /** The default settings, for tests. */
    public static FunnelSettings defaults() {
        return from(PipelineConfig.defaults());
    }

    ZoneId zone() {
        return ZoneId.of(zoneId);
    }

    /**
     * The span of one window end's inputs: its window and the baseline windows before it. Also how far back rows
     * are corrected: a window end more than this before the last one computed is final.
     */
    long retentionMs() {
        return windowMs + baselineWeeks * WEEK;
    }

    /** The first window end (a multiple of the slide) after {@code at}: the first window containing it. */
    long firstEnd(long at) {
        return Math.floorDiv(at, slideMs) * slideMs + slideMs;
    }

    /** The largest window end whose row is due at arrival time {@code clock}. */
    long dueEnd(long clock) {
        return Math.floorDiv(clock - latenessMs, slideMs) * slideMs;
    }
}
