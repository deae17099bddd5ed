package io.salespulse.pipeline.funnel;

/**
 * The customer's cards still relevant to a window (sorted by occurred_at, event_id) and what was emitted for
 * them, so that a late or reordered card produces only corrections.
 */
public class CustomerFunnelState {
    public CardRef[] cards = new CardRef[0];
    public FunnelEntry[] emitted = new FunnelEntry[0];
    /** The latest snapshot emitted (null before the first). */
    public CustomerSnapshot snapshot;

    public CustomerFunnelState() {}
}
