package io.salespulse.contract;

/** Default topic names of the contract; every job takes the actual names from configuration. */
public final class Topics {
    public static final String VISITS = "sales.visits";
    public static final String STAGES = "sales.stages";
    public static final String ACKS = "sales.acks";
    /** Lead to cash: contracts, invoices and payments ({@code kind}), keyed by contract_id. */
    public static final String CASH = "sales.cash";
    public static final String POLICIES = "sales.policies";
    public static final String ALERTS = "sales.alerts";
    public static final String DLQ = "sales.dlq";
    /** Compacted: one record per (tenant, import) saying whether a history import is open or complete. */
    public static final String IMPORTS = "sales.imports";

    private Topics() {}
}
