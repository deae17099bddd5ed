package io.salespulse.producers.importer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * What the importer sorts instead of the records themselves: small keys that point at a record's position in the
 * spill file ({@link ImportSpill}). Positions grow in file order, so they break ties the way the files are ordered.
 */
final class SpillKeys {
    private SpillKeys() {}

    /** For duplicates: by event_id, then position, so of the records sharing an id the first in the files comes first. */
    record ByEventId(String eventId, long position, long occurredAt, ImportKind kind) {
        static final Comparator<ByEventId> ORDER =
                Comparator.comparing(ByEventId::eventId).thenComparingLong(ByEventId::position);

        static final SortedRuns.Codec<ByEventId> CODEC = new SortedRuns.Codec<>() {
            @Override
            public void write(DataOutputStream out, ByEventId k) throws IOException {
                byte[] id = k.eventId().getBytes(StandardCharsets.UTF_8);
                out.writeInt(id.length);
                out.write(id);
                out.writeLong(k.position());
                out.writeLong(k.occurredAt());
                out.writeByte(k.kind().ordinal());
            }

            @Override
            public ByEventId read(DataInputStream in) throws IOException {
                byte[] id = new byte[in.readInt()];
                in.readFully(id);
                return new ByEventId(new String(id, StandardCharsets.UTF_8), in.readLong(), in.readLong(),
                        ImportKind.values()[in.readByte()]);
            }

            /** The record, its String and byte array, and the list's reference. */
            @Override
            public long heapBytes(ByEventId k) {
                return 104 + k.eventId().length();
            }
        };
    }

    /** The send order: by occurred_at, then position (file order among records of the same instant). */
    record ByTime(long occurredAt, long position) {
        static final Comparator<ByTime> ORDER =
                Comparator.comparingLong(ByTime::occurredAt).thenComparingLong(ByTime::position);

        static final SortedRuns.Codec<ByTime> CODEC = new SortedRuns.Codec<>() {
            @Override
            public void write(DataOutputStream out, ByTime k) throws IOException {
                out.writeLong(k.occurredAt());
                out.writeLong(k.position());
            }

            @Override
            public ByTime read(DataInputStream in) throws IOException {
                return new ByTime(in.readLong(), in.readLong());
            }

            @Override
            public long heapBytes(ByTime k) {
                return 40;
            }
        };
    }
}
