/**
 * The input records both jobs read: the contract's deserializer, the arrival-time source and watermarks, the
 * routing of records by kind, and dead letters for what cannot be read.
 */
package io.salespulse.pipeline.events;
