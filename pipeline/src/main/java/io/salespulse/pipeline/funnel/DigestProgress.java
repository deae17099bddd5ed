package io.salespulse.pipeline.funnel;

/** Where a team's digests stand besides the customer histories (state POJO of {@link ForecastDigest}). */
public class DigestProgress extends KeyProgress {
    /** Every digest date up to this one is decided; MIN_VALUE before the first. */
    public long lastDigest = Long.MIN_VALUE;
    /** The first digest date to (re)compute: changed histories or pending dates; MAX_VALUE when none. */
    public long dirtyFrom = Long.MAX_VALUE;
    /** The first digest date that can still be recomputed (see {@link WindowProgress#correctableFrom}). */
    public long correctableFrom = Long.MIN_VALUE;
    /** State of an earlier version was converted: digest days before this take their counts from it; 0 when not. */
    public long convertedUntil;

    public DigestProgress() {}
}
