package io.salespulse.producers.importer;

/** Told after every batch the gateway accepted (the CLI draws its progress bar from it). */
@FunctionalInterface
public interface ImportProgress {
    void sent(long sent, long total);
}
