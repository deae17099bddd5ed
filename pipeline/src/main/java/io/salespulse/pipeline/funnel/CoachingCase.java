package io.salespulse.pipeline.funnel;

/**
 * A repeated-objection case already alerted (state POJO of {@link CustomerFunnel}): the rep, the tag and the cards
 * that made it. A group of the same rep's same tag in one opportunity that shares a card with it is the same case.
 */
public class CoachingCase {
    public String rep;
    public String tag;
    public String[] eventIds = new String[0];

    public CoachingCase() {}
}
