package io.salespulse.pipeline.overdue;

import io.salespulse.contract.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of the sales process, applied to a customer's cards in timeline order (occurred_at, then id):
 *
 * <ul>
 *   <li>an opportunity ends with a closing card whose outcome is won or lost; the next card starts a new one;
 *   <li>the first card of an opportunity enters its stage; a later card <em>moves the customer on</em> when its
 *       stage is higher, or the same stage again later (a repeated objection, closing still pending); any other
 *       card (an earlier stage) changes nothing: the customer never moves backwards;
 *   <li>every stage entered (all but won/lost) is due at its SLA after the entering card; a <em>gap</em> is a
 *       stage whose next moving card is missing or came after the due time. Every gap is one
 *       {@code stage_overdue} alert.
 * </ul>
 *
 * Because the walk starts from the sorted cards every time, the result depends only on which cards there are,
 * never on the order they arrived in: the same history gives the same gaps live, replayed, imported or uploaded
 * late. Pure logic, no Flink.
 */
final class TimelineWalk {
    /** Computes the due time of a card entering a stage, under the policy in force (see {@link CardFact#dueAt}). */
    interface Due {
        /** Sets {@code dueAt}, {@code slaMillis} and {@code workingTime} of {@code card} for {@code stage}. */
        void fix(CardFact card, Stage stage);
    }

    /**
     * A stage entered. {@code answeredBy} is the index of the next moving card, -1 when none came (yet). The
     * opportunity's high potential, deal value and objection tag are as of the entering card.
     */
    record Entry(int index, CardFact card, Stage stage, int answeredBy, boolean highPotential, Double dealValue,
            String objectionTag) {
        long dueAt() {
            return card.dueAt;
        }

        /** A gap: nothing moved the customer on by the due time (yet). */
        boolean isGap(CardFact[] cards) {
            return answeredBy < 0 || cards[answeredBy].at > card.dueAt;
        }
    }

    /**
     * @param entries every stage entered, in timeline order
     * @param current the stage the customer waits in (the last opportunity is open), or null
     * @param closedBy the won/lost card that closed the last opportunity, or null while it is open
     * @param highPotential high potential of the last opportunity (once flagged, it stays)
     * @param dealValue the last opportunity's latest deal value
     */
    record Result(List<Entry> entries, Entry current, CardFact closedBy, boolean highPotential, Double dealValue) {}

    private TimelineWalk() {}

    static Result walk(CardFact[] cards, Due due) {
        List<Entry> entries = new ArrayList<>();
        Entry current = null;
        CardFact closedBy = null;
        boolean highPotential = false;
        Double dealValue = null;
        String objectionTag = null;
        boolean open = false;
        for (int i = 0; i < cards.length; i++) {
            CardFact c = cards[i];
            if (!open) {
                // A new opportunity (or the first card).
                highPotential = false;
                dealValue = null;
                objectionTag = null;
                current = null;
                closedBy = null;
            } else if (!(c.rank > current.stage.rank() || (c.rank == current.stage.rank() && c.at > current.card.at))) {
                continue; // an earlier stage, or an older card of the current one: changes nothing
            } else {
                entries.set(entries.size() - 1, answered(current, i));
            }
            highPotential |= c.highPotential;
            if (c.dealValue != null) {
                dealValue = c.dealValue;
            }
            if (c.objectionTag != null) {
                objectionTag = c.objectionTag;
            }
            if (c.closes()) {
                open = false;
                current = null;
                closedBy = c;
                continue;
            }
            Stage stage = Stage.values()[c.rank];
            if (c.dueAt == 0) {
                due.fix(c, stage);
            }
            current = new Entry(i, c, stage, -1, highPotential, dealValue, objectionTag);
            entries.add(current);
            open = true;
        }
        return new Result(entries, open ? current : null, open ? null : closedBy, highPotential, dealValue);
    }

    private static Entry answered(Entry e, int by) {
        return new Entry(e.index, e.card, e.stage, by, e.highPotential, e.dealValue, e.objectionTag);
    }

    /** Inserts {@code card} in timeline order; returns the new array, or null when its id is already there. */
    static CardFact[] insert(CardFact[] cards, CardFact card) {
        int at = cards.length;
        for (int i = 0; i < cards.length; i++) {
            if (cards[i].idHash == card.idHash) {
                return null;
            }
            if (at == cards.length && card.before(cards[i])) {
                at = i;
            }
        }
        CardFact[] out = new CardFact[cards.length + 1];
        System.arraycopy(cards, 0, out, 0, at);
        out[at] = card;
        System.arraycopy(cards, at, out, at + 1, cards.length - at);
        return out;
    }
}
