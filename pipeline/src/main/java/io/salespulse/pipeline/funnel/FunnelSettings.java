package io.salespulse.pipeline.funnel;

import io.salespulse.contract.StageSla;
import io.salespulse.pipeline.config.PipelineConfig;
import java.io.Serializable;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * The funnel job's thresholds and window shape, from {@link PipelineConfig} (validated there). Fixed per
 * job for now; run-time policies (issue 5) will replace the thresholds per tenant/region.
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

    public FunnelSettings(Duration window, Duration slide, Duration lateness, int baselineWeeks, double dropThresholdPct,
            int minEntered, double pValue, Duration confirm, Duration recovery, int repeatedObjections, double scriptAdoptionPct,
            LocalTime digestTime, ZoneId zone, StageSla sla) {
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
    }

    public static FunnelSettings from(PipelineConfig c) {
        return new FunnelSettings(c.funnelWindow, c.funnelSlide, c.funnelAllowedLateness, c.funnelBaselineWeeks,
                c.funnelDropThreshold, c.funnelMinEntered, c.funnelDropPValue, c.funnelDropConfirm, c.funnelRecovery,
                c.coachingRepeatedObjections, c.coachingScriptAdoption, c.digestTime, c.timeZone, c.sla);
    }

    /** The defaults of the README, for tests. */
    public static FunnelSettings defaults() {
        return from(PipelineConfig.defaults());
    }

    ZoneId zone() {
        return ZoneId.of(zoneId);
    }

    /** How long an entry must be kept: the current window and the baseline windows before it. */
    long retentionMs() {
        return windowMs + baselineWeeks * WEEK;
    }
}
