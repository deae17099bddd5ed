package io.salespulse.pipeline.funnel;

/** One objection card (first copy of its event_id), for the region's tag mix and the teams' script adoption. */
public class ObjectionFact {
    public String tenant;
    public String region;
    public String team;
    public String rep;
    public String customerId;
    public String tag;
    public boolean scripted;
    public long at;
    /** import_id of the card, null for a live card: the region's script-adoption weeks wait for the import. */
    public String importId;

    public ObjectionFact() {}
}
