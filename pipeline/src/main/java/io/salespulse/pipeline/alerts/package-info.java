/** Alerts as both jobs write them to Kafka ({@code sales.alerts}). */
package io.salespulse.pipeline.alerts;
