package io.salespulse.pipeline.clickhouse;

import java.time.Instant;
import java.util.Objects;

/** A small Flink POJO for the sink tests, written to {@link TestOrders#TABLE}. */
public class TestOrder {
    public String id;
    public long seq;
    public String name;
    public String note;
    public Double amount;
    public boolean paid;
    public Instant happenedAt;
    public Instant dueAt;

    public TestOrder() {}

    @Override
    public boolean equals(Object o) {
        return o instanceof TestOrder that
                && seq == that.seq
                && paid == that.paid
                && Objects.equals(id, that.id)
                && Objects.equals(name, that.name)
                && Objects.equals(note, that.note)
                && Objects.equals(amount, that.amount)
                && Objects.equals(happenedAt, that.happenedAt)
                && Objects.equals(dueAt, that.dueAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, seq);
    }

    @Override
    public String toString() {
        return "TestOrder{id=" + id + ", seq=" + seq + ", name=" + name + ", note=" + note
                + ", amount=" + amount + ", paid=" + paid + ", happenedAt=" + happenedAt
                + ", dueAt=" + dueAt + "}";
    }
}
