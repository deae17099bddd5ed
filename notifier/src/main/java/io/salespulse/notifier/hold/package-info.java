/**
 * Holding messages instead of posting them: quiet hours (the tenant's business calendar), silences and inhibition
 * rules decide per (alert, route) at read time ({@link io.salespulse.notifier.hold.PostingGate}); what is held is
 * kept in the delivery ledger and posted when its hold ends, if the alert is still open, as one message per route.
 */
package io.salespulse.notifier.hold;
