/**
 * ClickHouse for both jobs and the command line: the batching RowBinary sink, the table mappings of the
 * contract's streams, and the migrator. Imports no job package: a job's own tables are mapped in its package.
 */
package io.salespulse.pipeline.clickhouse;
