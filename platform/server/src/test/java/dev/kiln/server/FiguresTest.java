package dev.kiln.server;

import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Figures for the closing note (loopback, one JVM for server + worker + clients, 2 shared cores). Run with -Pchaos. */
@Tag("chaos")
class FiguresTest {

    @TempDir
    Path home;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void submitToFirstMetricLatency() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 1, new SyntheticExecutor());
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < 110; i++) {
                long t0 = System.nanoTime();
                Run run = alice.experiments().createRun(CreateRunRequest.newBuilder().setSpec(Harness.synthetic("lat", i, 1, 3, 0, 100))
                        .setRequestId(UUID.randomUUID().toString()).build());
                Iterator<RunEvent> it = alice.experimentsStreaming(Duration.ofSeconds(30)).streamRunEvents(StreamRunEventsRequest.newBuilder().setName(run.getName()).build());
                while (it.hasNext()) {
                    if (it.next().hasMetric()) {
                        break;
                    }
                }
                double v = (System.nanoTime() - t0) / 1e6;
                if (i >= 10) {
                    ms.add(v); // first 10 warm the JIT
                }
                Harness.await(alice, run.getName(), Duration.ofSeconds(10), Run.State.SUCCEEDED);
            }
            Collections.sort(ms);
            System.out.printf("FIGURE submit->first metric at the client over %d submissions: median %.1f ms, p99 %.1f ms, max %.1f ms "
                    + "(worker flush interval 50 ms)%n", ms.size(), ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.99) - 1), ms.get(ms.size() - 1));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void metricThroughputIntoTheStoreAndOutToTenWatchers() throws Exception {
        try (Harness h = new Harness(home, c -> c.userLimit(0).streamsPerUser(32))) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 2, new SyntheticExecutor());
            h.worker("w2", 2, new SyntheticExecutor());
            int runs = 4;
            int steps = 25_000; // 2 points per step + val per epoch
            long t0 = System.nanoTime();
            List<Run> submitted = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                submitted.add(Harness.submit(alice, Harness.synthetic("tput", i, 1, steps, 0, 5_000)));
            }
            ExecutorService watchers = Executors.newFixedThreadPool(10);
            List<Future<Long>> got = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Run r = submitted.get(i % runs);
                got.add(watchers.submit(() -> Harness.watch(alice, r.getName(), 0, Duration.ofSeconds(120)).stream().filter(RunEvent::hasMetric).count()));
            }
            long delivered = 0;
            for (Future<Long> f : got) {
                delivered += f.get(150, TimeUnit.SECONDS);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            long stored = 0;
            for (Run r : submitted) {
                stored += h.server.store().points(r.getName().substring(5)).size();
            }
            watchers.shutdownNow();
            System.out.printf("FIGURE throughput: %d metric points from 2 workers (4 concurrent runs) stored in %.1f s = %.0f points/s into SQLite "
                    + "(synchronous=FULL); %d metric events delivered to 10 watchers = %.0f events/s out%n", stored, s, stored / s, delivered, delivered / s);
        }
    }
}
