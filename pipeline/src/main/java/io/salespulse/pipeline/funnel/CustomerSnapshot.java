package io.salespulse.pipeline.funnel;

/**
 * Where a customer's latest opportunity stood, as earlier versions kept it in {@link CustomerFunnelState#snapshot}.
 * No longer written (the digest gets {@link CustomerHistory}); kept so that their savepoints restore.
 */
public class CustomerSnapshot {
    public static final String OPEN = "open";
    public static final String WON = "won";
    public static final String LOST = "lost";
    /** The customer left this team (moved to another team): forget it here. */
    public static final String GONE = "gone";

    public String tenant;
    public String region;
    public String team;
    public String rep;
    public String customerId;
    /** Current stage code while open. */
    public String stage;
    public String status;
    public long stageEnteredAt;
    public boolean highPotential;
    /** Event time of the change. */
    public long at;

    public CustomerSnapshot() {}
}
