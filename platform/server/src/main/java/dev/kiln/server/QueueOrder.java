package dev.kiln.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order in which queued runs get workers: higher priority first; within a priority, users take turns — the
 * user with the fewest active runs goes next (ties: whose oldest queued run is older), FIFO within a user; a user at
 * the per-user limit of active runs waits, and their runs are placed after everyone else's.
 *
 * <p>A pure function of the queue and the active counts: {@code GetRun} reports positions from the same order the
 * dispatcher follows.
 */
public final class QueueOrder {

    /** A queued run: who, how urgent, and its submission order. */
    public record Entry(String id, String owner, int priority, long seq) {
    }

    private QueueOrder() {
    }

    /**
     * @param queued     queued runs (any order)
     * @param active     active (leased or cancelling) runs per owner
     * @param userLimit  most active runs per user (0: no limit)
     * @return the dispatch order
     */
    public static List<Entry> order(List<Entry> queued, Map<String, Integer> active, int userLimit) {
        Map<String, Integer> counts = new HashMap<>(active);
        TreeMap<Integer, List<Entry>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (Entry e : queued) {
            byPriority.computeIfAbsent(e.priority(), p -> new ArrayList<>()).add(e);
        }
        List<Entry> out = new ArrayList<>(queued.size());
        List<Entry> blocked = new ArrayList<>();
        for (List<Entry> level : byPriority.values()) {
            level.sort(Comparator.comparingLong(Entry::seq));
            Map<String, Deque<Entry>> perUser = new LinkedHashMap<>();
            for (Entry e : level) {
                perUser.computeIfAbsent(e.owner(), o -> new ArrayDeque<>()).add(e);
            }
            while (!perUser.isEmpty()) {
                String next = null;
                for (Map.Entry<String, Deque<Entry>> u : perUser.entrySet()) {
                    if (next == null) {
                        next = u.getKey();
                        continue;
                    }
                    int a = counts.getOrDefault(u.getKey(), 0);
                    int b = counts.getOrDefault(next, 0);
                    if (a < b || (a == b && u.getValue().peek().seq() < perUser.get(next).peek().seq())) {
                        next = u.getKey();
                    }
                }
                Deque<Entry> runs = perUser.get(next);
                if (userLimit > 0 && counts.getOrDefault(next, 0) >= userLimit) {
                    blocked.addAll(runs);
                    perUser.remove(next);
                    continue;
                }
                out.add(runs.poll());
                counts.merge(next, 1, Integer::sum);
                if (runs.isEmpty()) {
                    perUser.remove(next);
                }
            }
        }
        blocked.sort(Comparator.comparing((Entry e) -> -e.priority()).thenComparingLong(Entry::seq));
        out.addAll(blocked);
        return out;
    }

    /** How many runs at the head of {@link #order} may start now (the rest are blocked by the per-user limit). */
    public static int startable(List<Entry> ordered, Map<String, Integer> active, int userLimit) {
        Map<String, Integer> counts = new HashMap<>(active);
        int n = 0;
        for (Entry e : ordered) {
            if (userLimit > 0 && counts.getOrDefault(e.owner(), 0) >= userLimit) {
                break;
            }
            counts.merge(e.owner(), 1, Integer::sum);
            n++;
        }
        return n;
    }
}
