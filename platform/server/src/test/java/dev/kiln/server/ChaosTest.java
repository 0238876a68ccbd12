package dev.kiln.server;

import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real processes: a server JVM and worker JVMs that get SIGKILLed; the server JVM itself gets kill -9. */
@Tag("chaos")
class ChaosTest {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    private Process start(Class<?> main, String... args) throws Exception {
        Process p = ProcessMains.java(dir.resolve("processes.log"), main, args);
        processes.add(p);
        return p;
    }

    private int startServer(Path home, int port, String workerToken) throws Exception {
        Files.createDirectories(home);
        Files.deleteIfExists(home.resolve("port"));
        start(ProcessMains.Server.class, home.toString(), Integer.toString(port), workerToken);
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(home.resolve("port"))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("server did not start: " + Files.readString(dir.resolve("processes.log")));
            }
            Thread.sleep(20);
        }
        return Integer.parseInt(Files.readString(home.resolve("port")).trim());
    }

    private Process startWorker(String target, String token, String id) throws Exception {
        return start(ProcessMains.Worker.class, target, token, id, dir.resolve("work-" + id).toString(), "2");
    }

    /** Per run: step/key → value of the highest attempt, and how many (attempt, step, key) were delivered twice. */
    record Observed(Map<String, Double> series, int duplicates, int redone) {
    }

    static Observed observe(List<RunEvent> events) {
        Map<String, Double> series = new HashMap<>();
        Map<String, Integer> attemptOf = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int dup = 0;
        int redone = 0;
        for (RunEvent e : events) {
            if (!e.hasMetric()) {
                continue;
            }
            String k = e.getMetric().getStep() + "/" + e.getMetric().getKey();
            if (!seen.add(e.getAttempt() + "#" + k)) {
                dup++;
            }
            Integer prev = attemptOf.get(k);
            if (prev == null || prev <= e.getAttempt()) {
                if (prev != null && prev < e.getAttempt()) {
                    redone++;
                }
                attemptOf.put(k, e.getAttempt());
                series.put(k, e.getMetric().getValue());
            }
        }
        return new Observed(series, dup, redone);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void runsCompleteWithNoLostOrDuplicatedPointsWhileWorkersAreKilled() throws Exception {
        try {
            String workerToken = Tokens.generate();
            Path home = dir.resolve("home");
            int port = startServer(home, 0, workerToken);
            String target = "127.0.0.1:" + port;
            String admin = Files.readString(home.resolve("admin-token")).trim();
            List<Process> workers = new ArrayList<>();
            int nextId = 0;
            for (; nextId < 3; nextId++) {
                workers.add(startWorker(target, workerToken, "w" + nextId));
            }
            try (KilnClient c = KilnClient.connect(target, admin, null)) {
                List<Run> runs = new ArrayList<>();
                List<ExperimentSpec> specs = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    ExperimentSpec s = Harness.synthetic("chaos", 100 + i, 3, 60, 40, 10);
                    specs.add(s);
                    runs.add(Harness.submit(c, s));
                }
                Random r = new Random(1);
                int killed = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                long t0 = System.nanoTime();
                while (System.nanoTime() < deadline) {
                    int done = 0;
                    for (Run run : runs) {
                        Run.State s = c.experiments().getRun(GetRunRequest.newBuilder().setName(run.getName()).build()).getState();
                        done += s == Run.State.SUCCEEDED || s == Run.State.FAILED || s == Run.State.CANCELLED ? 1 : 0;
                    }
                    if (done == runs.size()) {
                        break;
                    }
                    Thread.sleep(2000 + r.nextInt(1500));
                    if (System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos()) {
                        int victim = r.nextInt(workers.size());
                        workers.get(victim).destroyForcibly().waitFor(); // SIGKILL
                        killed++;
                        workers.set(victim, startWorker(target, workerToken, "w" + nextId++));
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                int completed = 0;
                int lost = 0;
                int duplicated = 0;
                int redone = 0;
                int attempts = 0;
                long points = 0;
                for (int i = 0; i < runs.size(); i++) {
                    Run run = c.experiments().getRun(GetRunRequest.newBuilder().setName(runs.get(i).getName()).build());
                    completed += run.getState() == Run.State.SUCCEEDED ? 1 : 0;
                    attempts += run.getAttempt();
                    Observed o = observe(Harness.watch(c, run.getName(), 0, Duration.ofSeconds(30)));
                    Map<String, Double> expected = Harness.undisturbed(specs.get(i), dir.resolve("ref-" + i));
                    for (var e : expected.entrySet()) {
                        if (!e.getValue().equals(o.series().get(e.getKey()))) {
                            lost++;
                        }
                    }
                    duplicated += o.duplicates() + (int) o.series().keySet().stream().filter(k -> !expected.containsKey(k)).count();
                    redone += o.redone();
                    points += expected.size();
                }
                System.out.printf("CHAOS: %d workers SIGKILLed, %d/%d runs completed in %.1f s, %d attempts, %d points expected, "
                        + "%d lost, %d duplicated, %d recomputed after resume%n", killed, completed, runs.size(), seconds, attempts, points, lost, duplicated, redone);
                assertEquals(runs.size(), completed);
                assertEquals(0, lost);
                assertEquals(0, duplicated);
                assertTrue(killed >= 5, "killed " + killed);
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void afterKillMinus9TheServerRestartsWithEveryAcknowledgedSubmissionAndPointAndRunsResume() throws Exception {
        try {
            String workerToken = Tokens.generate();
            Path home = dir.resolve("home");
            int port = startServer(home, 0, workerToken);
            String target = "127.0.0.1:" + port;
            String admin = Files.readString(home.resolve("admin-token")).trim();
            startWorker(target, workerToken, "a");
            startWorker(target, workerToken, "b");
            Process server = processes.get(0);
            List<Run> acked = new ArrayList<>();
            List<ExperimentSpec> specs = new ArrayList<>();
            Map<String, List<RunEvent>> seenBefore = new HashMap<>();
            try (KilnClient c = KilnClient.connect(target, admin, null)) {
                for (int i = 0; i < 6; i++) {
                    ExperimentSpec s = Harness.synthetic("crash", 200 + i, 4, 40, 25, 10);
                    specs.add(s);
                    acked.add(Harness.submit(c, s));
                }
                Thread.sleep(3000);
                for (Run r : acked) {
                    List<RunEvent> got = new ArrayList<>();
                    var it = c.experimentsStreaming(Duration.ofSeconds(30)).streamRunEvents(dev.kiln.proto.v1.StreamRunEventsRequest.newBuilder()
                            .setName(r.getName()).build());
                    long last = c.experiments().getRun(GetRunRequest.newBuilder().setName(r.getName()).build()).getLastSequence();
                    while (got.size() < last && it.hasNext()) {
                        got.add(it.next());
                    }
                    seenBefore.put(r.getName(), got);
                }
                // submissions racing with the crash: every one acknowledged must survive
                Thread submitter = new Thread(() -> {
                    for (int i = 0; i < 1000; i++) {
                        try {
                            ExperimentSpec s = Harness.synthetic("burst", 1000 + i, 1, 5, 0, 5);
                            Run r = Harness.submit(c, s);
                            synchronized (acked) {
                                acked.add(r);
                                specs.add(s);
                            }
                        } catch (RuntimeException e) {
                            return;
                        }
                    }
                });
                submitter.start();
                Thread.sleep(300);
                server.destroyForcibly().waitFor(); // kill -9
                submitter.join(10_000);
            }
            long restart = System.nanoTime();
            startServer(home, port, workerToken);
            double upSeconds = (System.nanoTime() - restart) / 1e9;
            try (KilnClient c = KilnClient.connect(target, admin, null)) {
                double resumedSeconds = -1;
                long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                int done = 0;
                while (System.nanoTime() < end) {
                    done = 0;
                    int running = 0;
                    for (Run r : acked) {
                        Run now = c.experiments().getRun(GetRunRequest.newBuilder().setName(r.getName()).build());
                        done += now.getState() == Run.State.SUCCEEDED ? 1 : 0;
                        running += now.getState() == Run.State.RUNNING ? 1 : 0;
                    }
                    if (resumedSeconds < 0 && running > 0) {
                        resumedSeconds = (System.nanoTime() - restart) / 1e9;
                    }
                    if (done == acked.size()) {
                        break;
                    }
                    Thread.sleep(200);
                }
                int missingPoints = 0;
                int beforePoints = 0;
                int wrong = 0;
                for (int i = 0; i < acked.size(); i++) {
                    Run r = acked.get(i);
                    List<RunEvent> after = Harness.watch(c, r.getName(), 0, Duration.ofSeconds(30));
                    for (RunEvent e : seenBefore.getOrDefault(r.getName(), List.of())) {
                        beforePoints += e.hasMetric() ? 1 : 0;
                        if (e.getSequence() > after.size() || !after.get((int) e.getSequence() - 1).equals(e)) {
                            missingPoints++;
                        }
                    }
                    if (!observe(after).series().equals(Harness.undisturbed(specs.get(i), dir.resolve("ref-" + i)))) {
                        wrong++;
                    }
                }
                System.out.printf("CRASH: %d acknowledged submissions (%d during the crash burst), %d/%d SUCCEEDED after restart; "
                        + "%d events seen before the crash (%d metric points), %d missing; %d series differ from an undisturbed run; "
                        + "server up %.2f s after restart, first run RUNNING again %.2f s after restart%n",
                        acked.size(), acked.size() - 6, done, acked.size(), seenBefore.values().stream().mapToInt(List::size).sum(),
                        beforePoints, missingPoints, wrong, upSeconds, resumedSeconds);
                assertEquals(acked.size(), done);
                assertEquals(0, missingPoints);
                assertEquals(0, wrong);
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }
}
