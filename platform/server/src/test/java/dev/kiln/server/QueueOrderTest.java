package dev.kiln.server;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QueueOrderTest {

    private static QueueOrder.Entry e(String id, String owner, int priority, long seq) {
        return new QueueOrder.Entry(id, owner, priority, seq);
    }

    private static List<String> ids(List<QueueOrder.Entry> order) {
        return order.stream().map(QueueOrder.Entry::id).toList();
    }

    @Test
    void usersTakeTurnsInsteadOfFirstComeFirstServed() {
        var q = List.of(e("a1", "alice", 0, 1), e("a2", "alice", 0, 2), e("a3", "alice", 0, 3), e("b1", "bob", 0, 4), e("c1", "carol", 0, 5));
        assertEquals(List.of("a1", "b1", "c1", "a2", "a3"), ids(QueueOrder.order(q, Map.of(), 0)));
    }

    @Test
    void usersWithFewerActiveRunsGoFirst() {
        var q = List.of(e("a1", "alice", 0, 1), e("b1", "bob", 0, 2));
        assertEquals(List.of("b1", "a1"), ids(QueueOrder.order(q, Map.of("alice", 2), 0)));
    }

    @Test
    void higherPriorityRunsGoBeforeFairness() {
        var q = List.of(e("a1", "alice", 0, 1), e("b1", "bob", 5, 2), e("b2", "bob", 5, 3));
        assertEquals(List.of("b1", "b2", "a1"), ids(QueueOrder.order(q, Map.of(), 0)));
    }

    @Test
    void aUserAtTheConcurrencyLimitWaitsBehindEveryoneElse() {
        var q = List.of(e("a1", "alice", 0, 1), e("a2", "alice", 0, 2), e("b1", "bob", 0, 3));
        List<QueueOrder.Entry> order = QueueOrder.order(q, Map.of("alice", 1), 2);
        assertEquals(List.of("b1", "a1", "a2"), ids(order));
        assertEquals(2, QueueOrder.startable(order, Map.of("alice", 1), 2), "a2 would exceed alice's limit of 2");
    }
}
