package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a scenario's alerts came to against its ground truth, printed as one line every fault test shares:
 * expected / got / extra / missing / retracted (and duplicates, which must be zero).
 */
record Tally(String scenario, Set<String> expected, Set<String> got, Set<String> extra, Set<String> missing,
        Set<String> retracted, List<String> duplicated) {

    /** Compares the {@code stage_overdue} alerts seen (after their retractions) with the expected ids. */
    static Tally of(String scenario, Collection<String> expected, List<AlertWatch.Seen> seen) {
        Set<String> retracted = seen.stream().filter(s -> "retraction".equals(s.alert().path("type").asText()))
                .map(s -> s.alert().get("retracts").asText()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> got = seen.stream().filter(s -> "stage_overdue".equals(s.alert().path("type").asText()))
                .map(AlertWatch.Seen::id).filter(id -> !retracted.contains(id))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> ids = new HashSet<>();
        List<String> duplicated = seen.stream().map(AlertWatch.Seen::id).filter(id -> !ids.add(id)).toList();
        Set<String> extra = new TreeSet<>(got);
        extra.removeAll(expected);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(got);
        Tally t = new Tally(scenario, new TreeSet<>(expected), got, extra, missing, retracted, duplicated);
        System.out.println(t.line());
        return t;
    }

    String line() {
        return String.format("%s: expected %d, got %d, extra %d, missing %d, retracted %d, duplicated ids %d%s%s",
                scenario, expected.size(), got.size(), extra.size(), missing.size(), retracted.size(),
                duplicated.size(), extra.isEmpty() ? "" : "; extra e.g. " + first(extra),
                missing.isEmpty() ? "" : "; missing e.g. " + first(missing));
    }

    /** Nothing extra, nothing missing, every id once. */
    Tally assertExact() {
        assertThat(duplicated).as("%s: ids on sales.alerts more than once", scenario).isEmpty();
        assertThat(extra).as("%s: alerts not in the ground truth", scenario).isEmpty();
        assertThat(missing).as("%s: alerts of the ground truth that never came", scenario).isEmpty();
        return this;
    }

    private static String first(Set<String> s) {
        return s.stream().limit(3).collect(Collectors.joining(", "));
    }
}
