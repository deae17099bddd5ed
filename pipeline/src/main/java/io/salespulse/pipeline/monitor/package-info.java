/**
 * The monitor job ({@link io.salespulse.pipeline.monitor.MonitorJob}, {@code salespulse-monitor}): its wiring,
 * {@link io.salespulse.pipeline.monitor.MonitorSinks} (where its results go) and its own table. Its logic, the
 * overdue detector, is {@code overdue/}: the classes there are in the job's state (their names are in its
 * savepoints), so they keep their package.
 */
package io.salespulse.pipeline.monitor;
