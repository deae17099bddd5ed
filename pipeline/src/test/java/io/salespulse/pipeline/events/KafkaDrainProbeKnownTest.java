package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a drain check decides about one partition without fetching, and where it fetches otherwise. The reader's
 * questions of the last rounds stay asked for a while, so a round often holds an older offset next to the one the
 * reader stands at now.
 */
class KafkaDrainProbeKnownTest {

    @Test
    void aReaderThatReadOnIsAnsweredWithoutFetchingWhatItHasAlreadyRead() {
        // The reader stood at 5 (the end then), a record came at 5, the reader read it and now asks from 6.
        KafkaDrainProbe.Known known = new KafkaDrainProbe.Known();
        TreeSet<Long> asked = new TreeSet<>(List.of(5L, 6L));

        assertThat(known.drainedFrom(asked, 6)).as("nothing committed from 6 on: the reader at 6 is drained").isEqualTo(6);
    }

    @Test
    void aRecordNotYetDeliveredIsFetchedFromWhereTheReaderStands() {
        KafkaDrainProbe.Known known = new KafkaDrainProbe.Known();
        TreeSet<Long> asked = new TreeSet<>(List.of(5L, 6L));

        assertThat(known.drainedFrom(asked, 7)).as("a record may lie at 6").isEqualTo(-1);
        assertThat(known.fetchFrom(asked)).as("fetched from the reader's offset, not the one it passed").isEqualTo(6);

        known.recordAt = 6; // the fetch found it
        assertThat(known.fetchFrom(asked)).as("known: no fetch until the reader has read past it").isEqualTo(-1);
        assertThat(known.drainedFrom(asked, 7)).isEqualTo(-1);
    }

    @Test
    void onlyMarkersLeftIsDrainedOnceAFetchHasPassedThem() {
        KafkaDrainProbe.Known known = new KafkaDrainProbe.Known();
        TreeSet<Long> asked = new TreeSet<>(List.of(10L));
        // Offsets 10 and 11 are a transaction's commit markers: the end (LSO) is 12 but no record is left.
        assertThat(known.drainedFrom(asked, 12)).isEqualTo(-1);
        assertThat(known.fetchFrom(asked)).isEqualTo(10);

        known.noRecordsBetween(10, 10, 12);
        assertThat(known.drainedFrom(asked, 12)).isEqualTo(10);
        assertThat(known.drainedFrom(new TreeSet<>(List.of(11L)), 12)).as("and from every offset above").isEqualTo(11);
        assertThat(known.drainedFrom(asked, 13)).as("a record written since may lie at 12").isEqualTo(-1);
    }

    @Test
    void aRewoundReaderIsNotToldItIsDrainedFromWhereItStoodBefore() {
        // Restored from a checkpoint: the reader asks from 3 again, after it had asked from 8 (still remembered).
        KafkaDrainProbe.Known known = new KafkaDrainProbe.Known();
        TreeSet<Long> asked = new TreeSet<>(List.of(3L, 8L));

        assertThat(known.drainedFrom(asked, 8)).as("the answer is for 8; a reader at 3 is not drained by it").isEqualTo(8);
    }
}
