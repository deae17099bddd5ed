package io.salespulse.cli;

import io.salespulse.producers.importer.ImportProgress;
import io.salespulse.producers.simulator.SimulationProgress;
import java.io.PrintStream;

/**
 * A progress bar on stderr for `simulate` and `import`: redrawn in place on a terminal, a line per 10% otherwise
 * (logs, CI), so stdout keeps only the summary. Shows records sent of all, records per second and the time left.
 */
final class ProgressBar implements SimulationProgress, ImportProgress {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean terminal = System.console() != null;
    private final long started = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;

    /** @param err where to draw; null draws nothing */
    ProgressBar(PrintStream err) {
        this.err = err;
    }

    @Override
    public void sent(long sent, long total) {
        if (err == null || total == 0) {
            return;
        }
        if (terminal) {
            long now = System.nanoTime();
            if (sent < total && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            err.print("\r" + line(sent, total));
            err.flush();
        } else {
            int decile = (int) (sent * 10 / total);
            if (decile != lastDecile) {
                lastDecile = decile;
                err.println(line(sent, total));
            }
        }
    }

    /** Ends the bar's line on a terminal. */
    void done() {
        if (err != null && terminal) {
            err.println();
        }
    }

    private String line(long sent, long total) {
        int filled = (int) (WIDTH * sent / total);
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        double rate = sent / seconds;
        String eta = sent == 0 || sent >= total ? "" : String.format(", %s left", duration((total - sent) / rate));
        return String.format("[%s%s] %3d%% %d/%d records, %.0f/s%s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                sent * 100 / total, sent, total, rate, eta);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        return s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
