package dev.kiln.server;

import dev.kiln.proto.v1.RunEvent;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends a run's events to one watcher from the store, a page at a time, only while the call {@code isReady()}:
 * a slow watcher leaves events in the database, never in server memory (at most one page per stream is held).
 * Woken by the call's onReadyHandler and by {@link EventHub} notifications; ends when the run is terminal and
 * every event was sent.
 */
final class EventPump {

    static final int PAGE = 128;
    /** Most events ever held in memory by one pump (observed); the slow-watcher test reads it. */
    static final AtomicInteger MAX_HELD = new AtomicInteger();
    static final AtomicLong SENT = new AtomicLong();

    private final Store store;
    private final EventHub hub;
    private final String runId;
    private final ServerCallStreamObserver<RunEvent> call;
    private final Executor executor;
    private final Runnable onEnd;
    private final ArrayDeque<RunEvent> page = new ArrayDeque<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final Runnable wake = this::schedule;
    private volatile boolean done;
    private long cursor;

    EventPump(Store store, EventHub hub, String runId, long after, ServerCallStreamObserver<RunEvent> call, Executor executor, Runnable onEnd) {
        this.store = store;
        this.hub = hub;
        this.runId = runId;
        this.cursor = after;
        this.call = call;
        this.executor = executor;
        this.onEnd = onEnd;
    }

    void start() {
        call.setOnCancelHandler(this::end);
        call.setOnReadyHandler(this::schedule);
        hub.subscribe(runId, wake);
        schedule();
    }

    private void schedule() {
        if (done) {
            return;
        }
        again.set(true);
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        try {
            while (again.getAndSet(false) && !done) {
                pump();
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            scheduled.set(false);
            if (again.get() && !done && scheduled.compareAndSet(false, true)) {
                executor.execute(this::drain);
            }
        }
    }

    private void pump() {
        while (!done && call.isReady()) {
            if (page.isEmpty()) {
                List<RunEvent> next = store.events(runId, cursor, PAGE);
                if (next.isEmpty()) {
                    Store.RunRow row = store.run(runId).orElse(null);
                    if (row == null || (row.terminal() && row.lastSequence() <= cursor)) {
                        finish();
                    }
                    return;
                }
                page.addAll(next);
                MAX_HELD.accumulateAndGet(page.size(), Math::max);
            }
            RunEvent e = page.poll();
            cursor = e.getSequence();
            call.onNext(e);
            SENT.incrementAndGet();
        }
    }

    private void finish() {
        if (end()) {
            call.onCompleted();
        }
    }

    private void fail(RuntimeException e) {
        if (end()) {
            Status s = e instanceof Store.StoreException ? Status.UNAVAILABLE : Status.INTERNAL;
            try {
                call.onError(s.withDescription(e.getMessage()).asRuntimeException());
            } catch (RuntimeException ignored) {
                // cancelled meanwhile
            }
        }
    }

    private synchronized boolean end() {
        if (done) {
            return false;
        }
        done = true;
        hub.unsubscribe(runId, wake);
        page.clear();
        onEnd.run();
        return true;
    }
}
