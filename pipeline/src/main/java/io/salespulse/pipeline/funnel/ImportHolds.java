package io.salespulse.pipeline.funnel;

import java.util.Arrays;

/**
 * The imports whose records a key has seen and that may not all have been read yet (state POJO): the key decides
 * nothing until each has released ({@link FunnelImports}). {@code firstSeen} is the arrival time of the first
 * record of the import the key saw, for imports no session announced.
 */
public class ImportHolds {
    public String[] ids = new String[0];
    public long[] firstSeen = new long[0];

    public ImportHolds() {}

    boolean isEmpty() {
        return ids.length == 0;
    }

    boolean contains(String importId) {
        for (String id : ids) {
            if (id.equals(importId)) {
                return true;
            }
        }
        return false;
    }

    void add(String importId, long seenAt) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = importId;
        firstSeen = Arrays.copyOf(firstSeen, firstSeen.length + 1);
        firstSeen[firstSeen.length - 1] = seenAt;
    }

    void remove(int i) {
        String[] keptIds = new String[ids.length - 1];
        long[] keptSeen = new long[ids.length - 1];
        for (int j = 0, k = 0; j < ids.length; j++) {
            if (j != i) {
                keptIds[k] = ids[j];
                keptSeen[k++] = firstSeen[j];
            }
        }
        ids = keptIds;
        firstSeen = keptSeen;
    }
}
