package dev.kiln.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/** Tells live event streams that a run has new events (after they were committed). Holds no events itself. */
final class EventHub {

    private final ConcurrentHashMap<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();

    void subscribe(String runId, Runnable listener) {
        listeners.computeIfAbsent(runId, k -> new CopyOnWriteArraySet<>()).add(listener);
    }

    void unsubscribe(String runId, Runnable listener) {
        listeners.computeIfPresent(runId, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    void publish(String runId) {
        Set<Runnable> set = listeners.get(runId);
        if (set != null) {
            set.forEach(Runnable::run);
        }
    }
}
