/**
 * The settings of the pipeline's jobs: every {@link io.salespulse.pipeline.config.Setting} with its flag,
 * environment variable and default, loaded into a {@link io.salespulse.pipeline.config.PipelineConfig}.
 */
package io.salespulse.pipeline.config;
