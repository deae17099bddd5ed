package io.salespulse.pipeline.overdue;

/**
 * Everything the detector keeps about one customer (in RocksDB, written by {@link CustomerTimelineSerializer}; its
 * POJO shape stays so that state of earlier versions can be migrated): the stage cards of its recent
 * opportunities in timeline order, the alerts decided about them, and the bookkeeping of status versions,
 * timers and import holds.
 *
 * <p>Cards are kept in {@code occurred_at} order whatever order they arrive in, so a card uploaded hours late
 * by an offline phone, a history import or an app retry lands where it belongs. Cards of closed opportunities
 * stay for {@code state.ttl} after the customer's latest card, so a retry of a card of a closed opportunity is
 * recognized (never a new opportunity); the whole timeline is dropped once the customer has had no card or
 * visit for {@code state.ttl} (arrival time).
 */
public class CustomerTimeline {
    public String tenant;
    public String customerId;
    public CardFact[] cards = new CardFact[0];
    public AlertFact[] alerts = new AlertFact[0];
    /** Newest occurred_at of any card or visit. */
    public long lastEventAt;
    /** Newest arrival time of any card or visit: the customer is forgotten {@code state.ttl} after it. */
    public long lastArrivalAt;
    /** Distinct cards ever added (never decreases): part of the status version. */
    public long cardsSeen;
    /** The registered event-time timer (arrival time), 0 when none. */
    public long timerAt;
    /** Import ids holding this customer's alerts until the import's records have all been read. */
    public String[] holds = new String[0];
    /** Arrival time at which each hold was first seen (an unannounced import releases a while after it). */
    public long[] holdsSeenAt = new long[0];
    /** A hash of the last customer_status row written, to write a row only when something changed. */
    public long lastRowHash;

    public CustomerTimeline() {}
}
