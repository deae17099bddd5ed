package io.salespulse.producers.gateway;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads one request body without holding a thread while bytes are on their way: when the buffered bytes are
 * used up it asks Jetty to call back once more have arrived ({@link Request#demand}). A body must be complete
 * within the request timeout and no larger than the limit; whichever comes first (the whole body, too many
 * bytes, the deadline, a broken connection) is handed to exactly one method of {@link Outcome}.
 *
 * <p>Reading only copies bytes and the outcomes only hand work on or start an answer, none of it waits, so
 * Jetty may call back on the thread that noticed the bytes instead of passing them to another one.
 */
final class BodyReader implements Invocable.Task {

    /** What became of the body; exactly one method is called, once. */
    interface Outcome {
        void complete(byte[] body);

        /** More than the limit arrived; the rest is not read. */
        void tooLarge();

        /** The deadline passed before the last byte. */
        void timedOut();

        /** The client went away, or the request could not be read. */
        void failed(Throwable cause);
    }

    private final Request request;
    private final int maxBytes;
    private final Outcome outcome;
    private final AtomicBoolean decided = new AtomicBoolean();
    private final ScheduledFuture<?> deadline;
    // Touched only by run(), which Jetty never calls twice at once.
    private byte[] buffer;
    private int size;

    private BodyReader(Request request, int maxBytes, Duration timeout, ScheduledExecutorService timers,
            Outcome outcome) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.outcome = outcome;
        long announced = request.getLength();
        this.buffer = new byte[(int) Math.min(maxBytes, announced >= 0 ? announced : 8 * 1024)];
        this.deadline = timers.schedule(() -> decide(outcome::timedOut), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts reading; the outcome may be decided before this returns (a small body is usually buffered). */
    static void read(Request request, int maxBytes, Duration timeout, ScheduledExecutorService timers,
            Outcome outcome) {
        new BodyReader(request, maxBytes, timeout, timers, outcome).run();
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /** Reads what has arrived; called again by Jetty when more has. */
    @Override
    public void run() {
        while (!decided.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                decide(() -> outcome.failed(chunk.getFailure()));
                return;
            }
            boolean last = chunk.isLast();
            boolean fits;
            try {
                fits = append(chunk.getByteBuffer());
            } finally {
                chunk.release();
            }
            if (!fits) {
                decide(outcome::tooLarge);
                return;
            }
            if (last) {
                decide(() -> outcome.complete(size == buffer.length ? buffer : Arrays.copyOf(buffer, size)));
                return;
            }
        }
    }

    private boolean append(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (n > maxBytes - size) {
            return false;
        }
        if (size + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(maxBytes, Math.max(2L * buffer.length, size + n)));
        }
        bytes.get(buffer, size, n);
        size += n;
        return true;
    }

    private void decide(Runnable result) {
        if (decided.compareAndSet(false, true)) {
            deadline.cancel(false);
            result.run();
        }
    }
}
