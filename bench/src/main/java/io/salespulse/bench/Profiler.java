package io.salespulse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * JFR (Flight Recorder, in the JDK) around one extra measured run: CPU samples of every thread of this JVM
 * (the MiniCluster's tasks run here), summarized as the top frames (where the CPU is) and the top SalesPulse
 * frames (the first io.salespulse frame of each sample: which of our code the time is spent under).
 */
final class Profiler {
    private static final int TOP = 20;
    private final Path dir;

    Profiler(Path dir) {
        this.dir = dir;
    }

    void profile(String name, Callable<?> run) throws Exception {
        Files.createDirectories(dir);
        Path jfr = dir.resolve(name + ".jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.start();
            run.call();
            r.stop();
            r.dump(jfr);
        }
        Path summary = dir.resolve(name + "-top-frames.txt");
        Files.writeString(summary, summarize(jfr));
        Bench.log("profile: %s (JFR recording %s)", summary, jfr);
    }

    static String summarize(Path jfr) throws Exception {
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            top.merge(name(frames.get(0)), 1, Integer::sum);
            String own = "(no SalesPulse frame)";
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.salespulse.")) {
                    own = name(f);
                    break;
                }
            }
            ours.merge(own, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        b.append("jdk.ExecutionSample: ").append(samples).append(" samples\n\nTop frames (self):\n");
        append(b, top, samples);
        b.append("\nTop SalesPulse frames (innermost io.salespulse frame of each sample):\n");
        append(b, ours, samples);
        return b.toString();
    }

    private static void append(StringBuilder b, Map<String, Integer> counts, int samples) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> b.append(String.format("  %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / samples, e.getValue(),
                        e.getKey())));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
