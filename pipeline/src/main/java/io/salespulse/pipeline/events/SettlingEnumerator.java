package io.salespulse.pipeline.events;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;

/**
 * The Kafka source's enumerator, telling each reader when the partitions that existed at the start have all been
 * handed out ({@link Settled}).
 *
 * <p>A reader that owns no partition follows the wall clock: with more readers than partitions some never get
 * one, and they must not hold the job's clock back. But right after a start every reader owns nothing yet: the
 * enumerator lists the topics' partitions in its own thread and assigns them a moment later, longer on a busy
 * machine. A reader that moved its clock to the wall clock in that moment had made the whole backlog late before
 * reading it (a job started after a history import raised hundreds of alerts about the import as live, then
 * retracted them). So a reader without partitions waits for this enumerator's word.
 *
 * <p>The Kafka enumerator discovers partitions in a chain of asynchronous calls (list the partitions, then
 * initialize their splits, then assign them); this enumerator counts the chains started through its context and
 * sends {@link Settled} to every registered reader when the first round has run to its end, and to every reader
 * that registers after that (a restarted subtask). Events from the coordinator reach a reader in the order sent,
 * so a reader gets its partitions before the word. Nothing is added to the checkpoint: after a restore the
 * restored enumerator discovers again and the word comes again.
 */
final class SettlingEnumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {

    /** "Every partition that existed when the source started has been assigned." */
    static final class Settled implements SourceEvent {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            return "Settled";
        }
    }

    /** Creates the Kafka enumerator with a context that counts its discovery calls. */
    interface KafkaEnumerator {
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> create(
                SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception;
    }

    private final SplitEnumeratorContext<KafkaPartitionSplit> context;
    private final CountingContext counting;
    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka;

    SettlingEnumerator(SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaEnumerator kafka) throws Exception {
        this.context = context;
        this.counting = new CountingContext(context, this::settled);
        this.kafka = kafka.create(counting);
    }

    @Override
    public void start() {
        kafka.start();
        counting.startDone();
    }

    @Override
    public void addReader(int subtaskId) {
        kafka.addReader(subtaskId);
        if (counting.settled) {
            context.sendEventToSourceReader(subtaskId, new Settled());
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        kafka.handleSplitRequest(subtaskId, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
        kafka.addSplitsBack(splits, subtaskId);
    }

    @Override
    public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
        return kafka.snapshotState(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        kafka.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        kafka.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
        kafka.handleSourceEvent(subtaskId, sourceEvent);
    }

    @Override
    public void close() throws IOException {
        kafka.close();
    }

    private void settled() {
        for (int reader : context.registeredReaders().keySet()) {
            context.sendEventToSourceReader(reader, new Settled());
        }
    }

    /**
     * The coordinator's context, counting the asynchronous calls the Kafka enumerator makes until its first
     * discovery has run to its end. Every method runs in the coordinator's thread, handlers included.
     */
    private static final class CountingContext implements SplitEnumeratorContext<KafkaPartitionSplit> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> context;
        private final Runnable onSettled;
        /** Calls made whose handler has not run yet (of a periodic call: its first run). */
        private int pending;
        private boolean started;
        volatile boolean settled;

        CountingContext(SplitEnumeratorContext<KafkaPartitionSplit> context, Runnable onSettled) {
            this.context = context;
            this.onSettled = onSettled;
        }

        void startDone() {
            started = true;
            settleIfDone();
        }

        private void handled() {
            pending--;
            settleIfDone();
        }

        private void settleIfDone() {
            if (started && pending == 0 && !settled) {
                settled = true;
                onSettled.run();
            }
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            pending++;
            context.callAsync(callable, (result, failure) -> {
                handler.accept(result, failure); // a failure fails the job: no word then
                handled();
            });
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay,
                long period) {
            pending++;
            AtomicBoolean first = new AtomicBoolean(true);
            context.callAsync(callable, (result, failure) -> {
                handler.accept(result, failure);
                if (first.getAndSet(false)) {
                    handled();
                }
            }, initialDelay, period);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return context.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return context.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return context.registeredReadersOfAttempts();
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> newSplitAssignments) {
            context.assignSplits(newSplitAssignments);
        }

        @Override
        public void assignSplit(KafkaPartitionSplit split, int subtask) {
            context.assignSplit(split, subtask);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            context.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            context.setIsProcessingBacklog(isProcessingBacklog);
        }
    }
}
