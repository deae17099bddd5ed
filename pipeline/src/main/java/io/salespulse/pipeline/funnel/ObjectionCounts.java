package io.salespulse.pipeline.funnel;

import io.salespulse.contract.ObjectionTag;

/** Objection cards of one hour (region tag mix) or one week of a team (script adoption). */
public class ObjectionCounts {
    /** Per {@link ObjectionTag} ordinal. */
    public int[] tags = new int[ObjectionTag.values().length];
    public int scripted;
    public int total;
    /** Arrival time of the newest card counted (0 in state of earlier versions). */
    public long lastArrival;

    public ObjectionCounts() {}

    void add(ObjectionFact f) {
        ObjectionTag.fromCode(f.tag).ifPresent(t -> tags[t.ordinal()]++);
        total++;
        if (f.scripted) {
            scripted++;
        }
    }

    void addAll(ObjectionCounts o) {
        for (int i = 0; i < tags.length; i++) {
            tags[i] += o.tags[i];
        }
        scripted += o.scripted;
        total += o.total;
    }
}
