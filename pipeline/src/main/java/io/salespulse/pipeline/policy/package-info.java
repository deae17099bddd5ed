/**
 * Policies as both jobs read them from {@code sales.policies}, and the {@code policy_changes} rows the monitor
 * job writes.
 */
package io.salespulse.pipeline.policy;
