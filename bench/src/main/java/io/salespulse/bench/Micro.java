package io.salespulse.bench;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** 5. Micro: the JMH benchmarks of this module with short settings (throughput mode, ops/s). */
final class Micro {
    private final int forks;
    private final int iterations;
    private final TimeValue time;
    private final Results results;

    Micro(int forks, int iterations, TimeValue time, Results results) {
        this.forks = forks;
        this.iterations = iterations;
        this.time = time;
        this.results = results;
    }

    void run() throws Exception {
        Options o = new OptionsBuilder()
                .include(ParserBenchmark.class.getName())
                .include(StateSerializerBenchmark.class.getName())
                .forks(forks)
                .warmupIterations(iterations)
                .warmupTime(time)
                .measurementIterations(iterations)
                .measurementTime(time)
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        Collection<RunResult> runs = new Runner(o).run();
        for (RunResult r : runs) {
            String method = r.getParams().getBenchmark();
            String format = r.getParams().getParam("format");
            String name = method.substring(method.lastIndexOf('.') + 1) + (format == null ? "" : "_" + format);
            String group = method.contains("Parser") ? "parser" : "state_serializer";
            results.add("micro", "micro." + group + "." + name + "_ops_per_s", group + "." + name,
                    r.getPrimaryResult().getScore(), "ops/s");
        }
        for (String format : new String[] {"own", "pojo"}) {
            results.add("micro", "micro.state_serializer.bytes_" + format, "serialized CustomerTimeline (3 cards, 1 alert), "
                    + format, StateSerializerBenchmark.typicalBytes(format), "bytes");
        }
    }
}
