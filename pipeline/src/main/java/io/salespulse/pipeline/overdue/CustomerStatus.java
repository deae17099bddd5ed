package io.salespulse.pipeline.overdue;

/** A row of {@code customer_status}: the customer's state after a change. The highest version wins. */
public class CustomerStatus {
    public String tenant;
    public String customerId;
    public String repId;
    public String region;
    public String team;
    public String stage;
    /** {@code active}, {@code overdue}, {@code won} or {@code lost}. */
    public String status;
    public boolean highPotential;
    public Double dealValue;
    public long stageEnteredAt;
    public long lastEventAt;
    /** 0 when nothing is due (won, lost). */
    public long dueAt;
    /** Event time of the change (deterministic). */
    public long updatedAt;
    public long version;

    public CustomerStatus() {}

    @Override
    public String toString() {
        return "CustomerStatus{" + tenant + "/" + customerId + " " + stage + " " + status + " v" + version + "}";
    }
}
