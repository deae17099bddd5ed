package io.salespulse.pipeline.funnel;

/** A digest date whose alert went out (state POJO of {@link ForecastDigest}): the hash of its rows as last written. */
public class DigestSent {
    public long rowsHash;
    /** Arrival time at which it was last computed. */
    public long computedAt;

    public DigestSent() {}
}
