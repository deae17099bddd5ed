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
            // Java samples miss native code (RocksDB, the chDB engine), the garbage collector and the JIT: the
            // threads' own CPU time shows where all of this JVM's CPU went.
            r.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofSeconds(1));
            r.enable("jdk.GarbageCollection");
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
        Map<String, Double> threadCpu = new HashMap<>();
        double gcPauseSeconds = 0;
        int samples = 0;
        int cpus = Runtime.getRuntime().availableProcessors();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals("jdk.ThreadCPULoad") && e.getThread() != null) {
                // user and system are shares of the whole machine over the last period (1 s)
                double seconds = (e.getFloat("user") + e.getFloat("system")) * cpus;
                threadCpu.merge(threadGroup(e.getThread().getJavaName()), seconds, Double::sum);
                continue;
            }
            if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
                gcPauseSeconds += e.getDuration("sumOfPauses").toNanos() / 1e9;
                continue;
            }
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
        double total = threadCpu.values().stream().mapToDouble(Double::doubleValue).sum();
        b.append(String.format("%nCPU time by thread (jdk.ThreadCPULoad each second; all of this JVM's threads, native"
                + " code and the collector included): %.1f CPU-s%n", total));
        threadCpu.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> b.append(String.format("  %5.1f%%  %7.1f s  %s%n", 100.0 * e.getValue() / total,
                        e.getValue(), e.getKey())));
        b.append(String.format("%nGarbage collection pauses: %.2f s%n", gcPauseSeconds));
        return b.toString();
    }

    private static void append(StringBuilder b, Map<String, Integer> counts, int samples) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(TOP)
                .forEach(e -> b.append(String.format("  %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / samples, e.getValue(),
                        e.getKey())));
    }

    /** A thread's name without its numbers and subtask suffix, so that the threads of one kind add up. */
    static String threadGroup(String name) {
        if (name == null) {
            return "(unnamed)";
        }
        return name.replaceAll("\\(\\d+/\\d+\\)#\\d+", "(n/n)").replaceAll("\\d+", "N");
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
