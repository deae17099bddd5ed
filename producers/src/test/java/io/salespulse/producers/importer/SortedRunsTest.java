package io.salespulse.producers.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.producers.importer.SpillKeys.ByEventId;
import io.salespulse.producers.importer.SpillKeys.ByTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The external sort under the importer: in memory, over many runs, and over more runs than it merges at once. */
class SortedRunsTest {
    @TempDir
    Path tmp;

    @Test
    void keysWithinTheBudgetStayInMemory() throws Exception {
        List<ByTime> keys = randomTimes(500, 1);
        try (SortedRuns<ByTime> runs = sortedRuns(1 << 20, 4)) {
            for (ByTime k : keys) {
                runs.add(k);
            }
            assertThat(drain(runs)).isEqualTo(sorted(keys));
            assertThat(runs.runsWritten()).isZero();
            assertThat(files()).isEmpty();
        }
    }

    @Test
    void manyRunsAreMergedInRoundsOfFanInAndRemovedOnClose() throws Exception {
        List<ByTime> keys = randomTimes(5_000, 2);
        SortedRuns<ByTime> runs = sortedRuns(40 * 50, 4); // 50 keys per run: 100 runs, merged 4 at a time
        for (ByTime k : keys) {
            runs.add(k);
        }
        assertThat(runs.runsWritten()).isEqualTo(100);

        List<ByTime> once = drain(runs);
        assertThat(once).isEqualTo(sorted(keys));
        assertThat(runs.runsWritten()).as("intermediate merges wrote runs").isGreaterThan(100);
        assertThat(files()).as("at most fanIn - 1 runs wait for the last merge").hasSizeLessThanOrEqualTo(3);
        assertThat(drain(runs)).as("sorted again").isEqualTo(once);

        runs.close();
        assertThat(files()).isEmpty();
    }

    @Test
    void eventIdsRoundTripThroughRunFiles() throws Exception {
        List<ByEventId> keys = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) {
            // Few distinct ids, so that equal ids are spread over several runs; non-ASCII ids too.
            String id = (i % 3 == 0 ? "é-" : "s-") + rnd.nextInt(300);
            keys.add(new ByEventId(id, i * 100L, rnd.nextLong(), ImportKind.values()[rnd.nextInt(3)]));
        }
        try (SortedRuns<ByEventId> runs = new SortedRuns<>(tmp, "ids", ByEventId.CODEC, ByEventId.ORDER, 2_000, 3)) {
            for (ByEventId k : keys) {
                runs.add(k);
            }
            assertThat(runs.runsWritten()).isGreaterThan(3);
            List<ByEventId> expected = new ArrayList<>(keys);
            expected.sort(ByEventId.ORDER);
            List<ByEventId> got = new ArrayList<>();
            try (SortedRuns.Cursor<ByEventId> c = runs.sorted()) {
                for (ByEventId k = c.next(); k != null; k = c.next()) {
                    got.add(k);
                }
            }
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void fanInBelowTwoIsRefused() {
        assertThatThrownBy(() -> sortedRuns(100, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private SortedRuns<ByTime> sortedRuns(long memory, int fanIn) {
        return new SortedRuns<>(tmp, "times", ByTime.CODEC, ByTime.ORDER, memory, fanIn);
    }

    /** Times with many repeats, so the position has to break ties; positions unique. */
    private static List<ByTime> randomTimes(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ByTime> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(new ByTime(rnd.nextInt(n / 10), i));
        }
        return keys;
    }

    private static List<ByTime> sorted(List<ByTime> keys) {
        List<ByTime> s = new ArrayList<>(keys);
        s.sort(ByTime.ORDER);
        return s;
    }

    private static List<ByTime> drain(SortedRuns<ByTime> runs) throws Exception {
        List<ByTime> out = new ArrayList<>();
        try (SortedRuns.Cursor<ByTime> c = runs.sorted()) {
            for (ByTime k = c.next(); k != null; k = c.next()) {
                out.add(k);
            }
        }
        return out;
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.toList();
        }
    }
}
