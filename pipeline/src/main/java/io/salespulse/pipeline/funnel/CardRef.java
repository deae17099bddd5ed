package io.salespulse.pipeline.funnel;

/** What the funnel keeps of one stage card of a customer (state POJO). */
public class CardRef {
    public String eventId;
    public long at;
    /** {@code Stage.rank()}. */
    public int rank;
    /** Closing outcome or null. */
    public String outcome;
    public String region;
    public String team;
    public String rep;
    public String objectionTag;
    public boolean scripted;
    public boolean highPotential;

    public CardRef() {}

    boolean closes() {
        return "won".equals(outcome) || "lost".equals(outcome);
    }

    /** Sort order of a customer's cards: occurred_at, then event_id (the SQL reference uses the same). */
    boolean before(CardRef o) {
        return at < o.at || (at == o.at && eventId.compareTo(o.eventId) < 0);
    }
}
