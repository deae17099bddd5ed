package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The funnel's per-customer and window state for N customers (default 1M) in RocksDB: every customer has an
 * open opportunity with contact, needs and proposal cards spread over 5 weeks (the retention), which is the
 * worst case the state keeps. Prints the full-snapshot size and the bytes per customer. Run with
 *
 * <pre>mvn -B -pl pipeline test -Dtest=FunnelStateSize -Dfunnel.state-size=true [-Dfunnel.customers=1000000]</pre>
 */
@EnabledIfSystemProperty(named = "funnel.state-size", matches = "true")
class FunnelStateSize {
    private static final long H = 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception {
        int customers = Integer.getInteger("funnel.customers", 1_000_000);
        FunnelSettings settings = FunnelSettings.defaults();
        long start = 1_767_225_600_000L; // 2026-01-01
        long span = settings.retentionMs();
        try (KeyedTwoInputStreamOperatorTestHarness<String, StageEvent, PolicyUpdate, FunnelEntry> perCustomer =
                        configure(new KeyedTwoInputStreamOperatorTestHarness<>(
                                new CardClockBroadcastOperator<>(new CustomerFunnel(settings)),
                                c -> CustomerFunnel.key(c.tenant, c.customerId), (PolicyUpdate u) -> "", Types.STRING),
                                dir.resolve("customers"));
                KeyedTwoInputStreamOperatorTestHarness<String, FunnelEntry, PolicyUpdate, ConversionRow> windows =
                        configure(new KeyedTwoInputStreamOperatorTestHarness<>(
                                new CardClockBroadcastOperator<>(new ConversionWindow(settings)),
                                e -> ConversionWindow.key(e.tenant, e.region, e.stage), (PolicyUpdate u) -> "",
                                Types.STRING), dir.resolve("windows"))) {
            long began = System.nanoTime();
            String[] stages = {"contact", "needs", "proposal"};
            for (int i = 0; i < customers; i++) {
                long at = start + (long) ((double) i / customers * (span - 72 * H));
                for (int s = 0; s < stages.length; s++) {
                    StageEvent e = FunnelHarnessTest.card(String.format("c-%07d", i), stages[s], at + s * 24 * H,
                            "t-" + (i % 40), String.format("r-%04d", i % 2000));
                    e.region = "region-" + (i % 10);
                    e.eventId = "s-" + i + "-" + s;
                    perCustomer.processElement1(new StreamRecord<>(e, e.occurredAt));
                }
                for (FunnelEntry entry : perCustomer.extractOutputValues()) {
                    windows.processElement1(new StreamRecord<>(entry, entry.entryAt));
                }
                perCustomer.getOutput().clear();
                if (perCustomer.getSideOutput(CustomerFunnel.HISTORIES) != null) {
                    perCustomer.getSideOutput(CustomerFunnel.HISTORIES).clear();
                }
            }
            long seconds = (System.nanoTime() - began) / 1_000_000_000L;
            OperatorSubtaskState a = perCustomer.snapshot(1, 1);
            OperatorSubtaskState b = windows.snapshot(1, 1);
            long customerBytes = a.getStateSize();
            long windowBytes = b.getStateSize();
            System.out.printf(Locale.ROOT, "%nFunnel state for %,d customers (3 cards each, RocksDB, full snapshot):"
                    + " funnel-customer %,d bytes (%.0f B/customer), funnel-conversion-window %,d bytes"
                    + " (%.0f B/entry, %,d entries); local RocksDB directories incl. snapshot %,d + %,d bytes;"
                    + " fed in %d s%n", customers,
                    customerBytes, (double) customerBytes / customers, windowBytes, (double) windowBytes / (3.0 * customers),
                    3L * customers, size(dir.resolve("customers")), size(dir.resolve("windows")), seconds);
            assertThat(customerBytes).isPositive();
        }
    }

    private static <H extends AbstractStreamOperatorTestHarness<?>> H configure(H h, Path rocksDir) throws Exception {
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend(false);
        Files.createDirectories(rocksDir);
        backend.setDbStoragePath(rocksDir.toString());
        // RocksDB's own default buffers, not the tiny managed memory of a test task.
        backend.getMemoryConfiguration().setUseManagedMemory(false);
        h.setStateBackend(backend);
        Files.createDirectories(rocksDir.resolve("snapshots"));
        h.setCheckpointStorage(new org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage(
                rocksDir.resolve("snapshots").toUri()));
        ((SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig()).setGenericTypes(false);
        h.open();
        return h;
    }

    private static long size(Path p) throws Exception {
        try (Stream<Path> files = Files.walk(p)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
