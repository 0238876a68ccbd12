package dev.kiln.engine.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent in each kind of backend call, as {@link ProfilingBackend} records it: calls and nanoseconds per key
 * (the method, plus the operator or the geometry where the method has one, e.g. {@code binary MUL} or
 * {@code conv2d 64x32x28x28 k3 s1 p1}). Whatever a step spends outside these calls (autograd bookkeeping, the
 * trainer's loop, data loading) is the difference between the step's wall time and {@link #totalNanos}.
 */
public final class OpProfile {

    /** One key's totals. */
    public record Row(String key, long calls, long nanos) {
    }

    private static final class Cell {
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private final Map<String, Cell> cells = new ConcurrentHashMap<>();

    void add(String key, long nanos) {
        Cell c = cells.computeIfAbsent(key, k -> new Cell());
        c.calls.increment();
        c.nanos.add(nanos);
    }

    /** Every key, most time first. */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        cells.forEach((k, c) -> out.add(new Row(k, c.calls.sum(), c.nanos.sum())));
        out.sort(Comparator.comparingLong(Row::nanos).reversed().thenComparing(Row::key));
        return out;
    }

    /** Nanoseconds spent in backend calls, all keys together. */
    public long totalNanos() {
        return cells.values().stream().mapToLong(c -> c.nanos.sum()).sum();
    }

    /**
     * The profile as plain maps (for a JSON file): total backend seconds, the given wall seconds and the share of
     * it outside the backend, and each key's calls, seconds, microseconds per call and share of the backend time.
     */
    public Map<String, Object> report(double wallSeconds) {
        double total = totalNanos() / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wall_seconds", round(wallSeconds, 3));
        out.put("backend_seconds", round(total, 3));
        out.put("outside_backend_fraction", wallSeconds > 0 ? round(Math.max(0, 1 - total / wallSeconds), 4) : null);
        List<Map<String, Object>> ops = new ArrayList<>();
        for (Row r : rows()) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("op", r.key());
            op.put("calls", r.calls());
            op.put("seconds", round(r.nanos() / 1e9, 4));
            op.put("us_per_call", round(r.nanos() / 1e3 / Math.max(1, r.calls()), 1));
            op.put("fraction_of_backend", total > 0 ? round(r.nanos() / 1e9 / total, 4) : 0);
            ops.add(op);
        }
        out.put("ops", ops);
        return out;
    }

    /** The {@code limit} costliest keys as aligned text lines. */
    public List<String> table(int limit) {
        double total = Math.max(1, totalNanos());
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%7s %9s %10s %10s  %s", "share", "seconds", "calls", "us/call", "backend call"));
        List<Row> rows = rows();
        for (Row r : rows.subList(0, Math.min(limit, rows.size()))) {
            lines.add(String.format("%6.1f%% %9.3f %10d %10.1f  %s", 100 * r.nanos() / total, r.nanos() / 1e9, r.calls(),
                    r.nanos() / 1e3 / Math.max(1, r.calls()), r.key()));
        }
        return lines;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
