package dev.kiln.engine;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the tensor bytes an engine holds and enforces its cap. */
final class MemoryLedger {

    private final long cap;
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    MemoryLedger(long cap) {
        if (cap <= 0) {
            throw new IllegalArgumentException("memory cap must be positive, got " + cap);
        }
        this.cap = cap;
    }

    void reserve(long bytes) {
        long now = live.addAndGet(bytes);
        if (now > cap) {
            live.addAndGet(-bytes);
            throw new OutOfMemoryError("tensor memory cap exceeded: " + (now - bytes) + " bytes held + " + bytes
                    + " requested > cap " + cap + "; close tensors or open a MemoryScope per step, or raise the cap");
        }
        peak.accumulateAndGet(now, Math::max);
    }

    void release(long bytes) {
        live.addAndGet(-bytes);
    }

    long live() {
        return live.get();
    }

    long peak() {
        return peak.get();
    }

    long cap() {
        return cap;
    }
}
