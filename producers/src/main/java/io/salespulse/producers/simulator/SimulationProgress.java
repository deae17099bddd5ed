package io.salespulse.producers.simulator;

/** Told after every record a simulation sends (the CLI draws its progress bar from it). */
@FunctionalInterface
public interface SimulationProgress {
    void sent(long sent, long total);
}
