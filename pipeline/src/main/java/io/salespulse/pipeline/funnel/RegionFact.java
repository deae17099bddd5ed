package io.salespulse.pipeline.funnel;

/**
 * What reaches a region's {@link RegionCoach}: a drop finding of one of its conversion keys, or an objection card.
 * Exactly one of the two is set. One type for both, so the operator has one keyed input beside the control stream.
 */
public class RegionFact {
    public DropFinding drop;
    public ObjectionFact objection;

    public RegionFact() {}

    static RegionFact of(DropFinding f) {
        RegionFact r = new RegionFact();
        r.drop = f;
        return r;
    }

    static RegionFact of(ObjectionFact o) {
        RegionFact r = new RegionFact();
        r.objection = o;
        return r;
    }

    String tenant() {
        return drop != null ? drop.tenant : objection.tenant;
    }

    String region() {
        return drop != null ? drop.region : objection.region;
    }
}
