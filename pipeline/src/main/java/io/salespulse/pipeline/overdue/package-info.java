/**
 * The monitor job's logic: the overdue detector, keyed by customer, and the types it keeps in state
 * ({@code CustomerTimeline} with its {@code CardFact}s and {@code AlertFact}s; {@code CustomerState}, the former
 * layout that {@code FormerState} converts on restore). Wired by {@code monitor/}. These class names are in the
 * monitor job's savepoints (Flink POJO serializer snapshots): renaming or moving one breaks the restore of every
 * running deployment.
 */
package io.salespulse.pipeline.overdue;
