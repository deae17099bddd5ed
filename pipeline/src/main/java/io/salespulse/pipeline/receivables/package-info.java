/**
 * Receivables: per invoice, whether it was paid by its due time plus {@code receivables.grace}; a
 * {@code receivable_overdue} alert when not, withdrawn when a payment received in time arrives late. Only the
 * monitor job uses it; the names of its state classes are recorded in the monitor job's savepoints.
 */
package io.salespulse.pipeline.receivables;
