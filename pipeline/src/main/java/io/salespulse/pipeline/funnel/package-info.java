/**
 * The funnel job ({@link io.salespulse.pipeline.funnel.FunnelJob}, {@code salespulse-funnel}): its wiring, its
 * operators and the types they keep in state, in one package (their names are in the job's savepoints).
 */
package io.salespulse.pipeline.funnel;
