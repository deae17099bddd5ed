package io.salespulse.producers.simulator;

/**
 * How a run sends its history: the records whose arrival instant has already passed when they are sent.
 *
 * <ul>
 *   <li>{@link #IMPORT_SESSION}: as a history import of the tenant, the way {@code bin/salespulse import} sends a file.
 *       A session is opened before the first history record, every valid history record carries the session's
 *       {@code import_id} and is stamped with the moment it is sent, and the session is completed once every history
 *       record is acknowledged. The jobs hold the tenant's imported customers until then and decide the history
 *       once. The rest of the run (records arriving now or later) is sent live, without {@code import_id}.
 *   <li>{@link #PLAIN}: every record as a live record stamped with its simulated arrival. Exact for a job started
 *       after the records are in Kafka (it replays them by their arrival times); a job already running takes old
 *       records for late uploads (alerts, then retractions).
 * </ul>
 */
public enum HistoryMode {
    IMPORT_SESSION, PLAIN
}
