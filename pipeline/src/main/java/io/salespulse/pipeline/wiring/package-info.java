/**
 * What both jobs are built from: their Kafka sources and arrival-time watermarks
 * ({@link io.salespulse.pipeline.wiring.JobInputs}), their exactly-once Kafka sinks and ClickHouse sink settings
 * ({@link io.salespulse.pipeline.wiring.JobOutputs}), and the Flink configuration they run with
 * ({@link io.salespulse.pipeline.wiring.FlinkSetup}). Imports no job package.
 */
package io.salespulse.pipeline.wiring;
