/**
 * History import sessions ({@code sales.imports}) in broadcast state, shared by both jobs: which records belong
 * to an import still being read, and when it is complete.
 */
package io.salespulse.pipeline.imports;
