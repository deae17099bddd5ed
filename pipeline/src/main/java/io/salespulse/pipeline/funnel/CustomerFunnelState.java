package io.salespulse.pipeline.funnel;

/**
 * The customer's cards still relevant to a window (sorted by occurred_at, event_id) and what was emitted for
 * them, so that a late or reordered card produces only corrections.
 */
public class CustomerFunnelState {
    /** 2 since stage histories, coaching cases and import holds; 0 for state of earlier versions (converted). */
    public int version;
    public CardRef[] cards = new CardRef[0];
    public FunnelEntry[] emitted = new FunnelEntry[0];
    /** Hash of the stage history last sent, and the teams it was sent to. */
    public long historyHash;
    public String[] historyTeams = new String[0];
    /** Repeated-objection cases alerted. */
    public CoachingCase[] coached = new CoachingCase[0];
    /** Imports of this customer's cards not read completely: coaching waits for them. */
    public ImportHolds holds = new ImportHolds();
    /** Newest arrival time of a card (0 in state of earlier versions). */
    public long lastArrivalAt;
    /** The one timer registered (0: none, or state of an earlier version). */
    public long timerAt;
    /** State of earlier versions (the latest snapshot sent to the digest); no longer written, dropped on conversion. */
    public CustomerSnapshot snapshot;

    public CustomerFunnelState() {}
}
