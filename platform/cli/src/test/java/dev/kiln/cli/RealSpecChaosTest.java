package dev.kiln.cli;

import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import dev.kiln.run.SpecLoader;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.server.KilnClient;
import dev.kiln.server.RunExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Chaos with real experiments: a {@code kiln serve} process, {@code kiln worker} processes that train tiny real specs
 * (an MLP on real Fashion-MNIST, checkpoints every 4 steps) with {@link RunnerExecutor} and core plugins in their own
 * framework, workers SIGKILLed while they train, and the server itself killed with {@code kill -9} and restarted.
 * Every run must complete and its stored metric series must equal an undisturbed run of the same seed (run here, in
 * this JVM, through the same executor): no point lost, none duplicated.
 *
 * <p>It lives in {@code platform/cli} because that is where {@link RunnerExecutor} and the {@code kiln} commands are,
 * and {@code platform/cli} depends on {@code platform/server}: the server module's own chaos test can only run its
 * synthetic trainer. The default build runs one small scenario (~45 s: the server and a worker killed together,
 * submissions racing the crash); {@code -Pchaos} runs the others (2 workers and 3 runs with workers killed; 3 workers,
 * 12 runs, a worker killed every 2-4 s for 30 s; a server crash with 6 runs and 6 racing submissions).
 */
class RealSpecChaosTest {

    static final Path FASHION = RunCommandTest.FASHION;

    /** Tiny and real: 2 epochs of ~18 steps on 640 Fashion-MNIST images, a checkpoint every 4 steps. */
    static final String SPEC = """
            name: chaos-mlp
            seed: 1
            dataset:
              name: fashion-mnist
              params:
                validation_fraction: 0.1
                transforms:
                  - {name: normalize, params: {mean: 0.2860, std: 0.3530}}
            model:
              layers:
                - {name: flatten}
                - {name: linear, params: {out_features: 32}}
                - {name: relu}
                - {name: linear, params: {out_features: 10}}
            loss: {name: cross_entropy}
            optimizer: {name: adam, params: {lr: 0.002}}
            trainer:
              name: supervised
              epochs: 2
              batch_size: 32
              max_train_examples: 640
              max_eval_examples: 256
              log_every_steps: 1
              params:
                checkpoint_every_steps: 4
            backend: java
            """;

    /** Metrics that measure the machine, not the training: never compared. */
    static boolean timing(String key) {
        return key.contains("per_second") || key.contains("seconds");
    }

    static ExperimentSpec spec(long seed, String... overrides) {
        List<String> o = new ArrayList<>(List.of(overrides));
        o.add("seed=" + seed);
        return SpecLoader.parse(SPEC, "chaos-mlp.yaml", o).spec();
    }

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private static KilnRuntime reference;
    private static final Map<String, Map<String, Double>> UNDISTURBED = new HashMap<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @AfterAll
    static void stopReference() {
        if (reference != null) {
            reference.close();
        }
    }

    // ---------------------------------------------------------------- processes

    private Process kiln(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + PluginRuntime.PROPERTY + "=" + System.getProperty(PluginRuntime.PROPERTY),
                "-cp", System.getProperty("java.class.path"), KilnCommand.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(p);
        return p;
    }

    private record Server(Process process, int port) {
    }

    /** {@code kiln serve} without an in-process worker; waits for its "listening" line. */
    private Server serve(Path home, int port) throws Exception {
        Path log = dir.resolve("serve-" + System.nanoTime() + ".log");
        Files.createFile(log);
        Process p = kiln(log, "serve", "--home", home.toString(), "--port", Integer.toString(port), "--workers", "0",
                "--lease-timeout-ms", "3000", "--heartbeat-ms", "300");
        Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
                return new Server(p, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("kiln serve did not start:\n" + Files.readString(log));
    }

    private Process worker(String target, String token, String id) throws IOException {
        return kiln(dir.resolve("worker-" + id + ".log"), "worker", "--server", target, "--token", token, "--id", id,
                "--work-dir", dir.resolve("work-" + id).toString(), "--data", FASHION.toString(), "--threads", "1", "--slots", "1",
                "--plugins", dir.resolve("worker-plugins").toString());
    }

    /** A worker identity in the server's database, as an admin would add it: the token. */
    private static String addWorkerUser(Path home) {
        StringWriter out = new StringWriter();
        var cl = KilnCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(0, cl.execute("users", "add", "chaos-worker", "--worker", "--home", home.toString()));
        return out.toString().strip();
    }

    // ---------------------------------------------------------------- runs and their series

    private static Run submit(KilnClient c, ExperimentSpec s) {
        return c.experiments().createRun(CreateRunRequest.newBuilder().setSpec(s).setRequestId(UUID.randomUUID().toString()).build());
    }

    private static Run get(KilnClient c, Run r) {
        return c.experiments().getRun(GetRunRequest.newBuilder().setName(r.getName()).build());
    }

    private static boolean terminal(Run.State s) {
        return s == Run.State.SUCCEEDED || s == Run.State.FAILED || s == Run.State.CANCELLED;
    }

    static List<RunEvent> events(KilnClient c, String run) {
        List<RunEvent> out = new ArrayList<>();
        Iterator<RunEvent> it = c.experimentsStreaming(Duration.ofSeconds(30)).streamRunEvents(StreamRunEventsRequest.newBuilder().setName(run).build());
        it.forEachRemaining(out::add);
        return out;
    }

    /** The series a stored run shows (per step/key, the latest attempt's value) and the (attempt, step, key) repeats. */
    record Observed(Map<String, Double> series, int duplicates) {
    }

    static Observed observe(List<RunEvent> events) {
        Map<String, Double> series = new TreeMap<>();
        Map<String, Integer> attemptOf = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int dup = 0;
        for (RunEvent e : events) {
            if (!e.hasMetric() || timing(e.getMetric().getKey())) {
                continue;
            }
            String k = String.format("%05d/%s", e.getMetric().getStep(), e.getMetric().getKey());
            if (!seen.add(e.getAttempt() + "#" + k)) {
                dup++;
            }
            Integer prev = attemptOf.get(k);
            if (prev == null || prev <= e.getAttempt()) {
                attemptOf.put(k, e.getAttempt());
                series.put(k, e.getMetric().getValue());
            }
        }
        return new Observed(series, dup);
    }

    /** The series of an undisturbed run of this spec: the same executor, in this JVM, never stopped. */
    synchronized Map<String, Double> undisturbed(ExperimentSpec s) throws Exception {
        String key = s.toString();
        Map<String, Double> known = UNDISTURBED.get(key);
        if (known != null) {
            return known;
        }
        if (reference == null) {
            reference = PluginRuntime.start(Files.createTempDirectory("kiln-chaos-reference-").resolve("plugins"));
        }
        Map<String, Double> out = new TreeMap<>();
        RunExecutor.Result r = new RunnerExecutor(reference.registry(), FASHION, 1, "java").execute(new RunExecutor.Task("runs/reference", 1, s,
                dir.resolve("reference-" + UNDISTURBED.size()), null, 0, () -> false), new RunExecutor.Events() {
                    public void metric(long step, int epoch, String k, double value) {
                        if (!timing(k)) {
                            out.put(String.format("%05d/%s", step, k), value);
                        }
                    }

                    public void log(String line) { }

                    public void image(String title, long step, byte[] png) { }

                    public void checkpoint(long step, Path file) { }

                    public void file(Path file) { }
                });
        assertEquals(RunExecutor.Outcome.SUCCEEDED, r.outcome(), r.error());
        UNDISTURBED.put(key, out);
        return out;
    }

    /** Lost: an undisturbed point missing or different. Duplicated: a repeat within an attempt, or a point it never makes. */
    record Tally(int lost, int duplicated, long points) {
        Tally plus(Tally o) {
            return new Tally(lost + o.lost, duplicated + o.duplicated, points + o.points);
        }
    }

    Tally compare(KilnClient c, Run run, ExperimentSpec s) throws Exception {
        Observed o = observe(events(c, run.getName()));
        Map<String, Double> expected = undisturbed(s);
        int lost = 0;
        for (var e : expected.entrySet()) {
            if (!e.getValue().equals(o.series().get(e.getKey()))) {
                lost++;
            }
        }
        int extra = (int) o.series().keySet().stream().filter(k -> !expected.containsKey(k)).count();
        return new Tally(lost, o.duplicates() + extra, expected.size());
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    @Tag("chaos")
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void workersKilledWhileTrainingRealSpecsLoseAndDuplicateNothing() throws Exception {
        workerChaos(2, 3, 2, Duration.ofSeconds(7));
    }

    @Test
    @Tag("chaos")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void threeWorkersTwelveRealRunsAWorkerKilledEveryFewSeconds() throws Exception {
        workerChaos(3, 12, 3, Duration.ofSeconds(30));
    }

    /**
     * @param workers   worker processes alive at any time
     * @param runs      real runs submitted at once
     * @param seeds     distinct seeds among them (each compared with one undisturbed run of its seed)
     * @param killing   for how long a random worker is SIGKILLed every 2-4 s (and replaced)
     */
    void workerChaos(int workers, int runs, int seeds, Duration killing) throws Exception {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
        Path home = dir.resolve("home");
        String token = addWorkerUser(home);
        Server server = serve(home, 0);
        String target = "127.0.0.1:" + server.port();
        List<Process> alive = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int next = 0;
        for (; next < workers; next++) {
            alive.add(worker(target, token, "w" + next));
            ids.add("w" + next);
        }
        try (KilnClient c = KilnClient.connect(target, Files.readString(home.resolve("admin-token")).trim(), null)) {
            List<Run> submitted = new ArrayList<>();
            List<ExperimentSpec> specs = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                specs.add(spec(100 + i % seeds));
                submitted.add(submit(c, specs.get(i)));
            }
            Random random = new Random(7);
            int killed = 0;
            List<Double> recoveries = new ArrayList<>();
            Map<String, long[]> orphaned = new HashMap<>(); // run -> {kill time, attempt at the kill}
            long t0 = System.nanoTime();
            long deadline = t0 + Duration.ofSeconds(400).toNanos();
            long nextKill = t0 + Duration.ofMillis(2000 + random.nextInt(2000)).toNanos();
            int done = 0;
            while (System.nanoTime() < deadline) {
                done = 0;
                for (Run r : submitted) {
                    Run now = get(c, r);
                    done += terminal(now.getState()) ? 1 : 0;
                    long[] o = orphaned.get(r.getName());
                    if (o != null && (terminal(now.getState()) || (now.getState() == Run.State.RUNNING && now.getAttempt() > o[1]))) {
                        recoveries.add((System.nanoTime() - o[0]) / 1e9);
                        orphaned.remove(r.getName());
                    }
                }
                if (done == runs) {
                    break;
                }
                Thread.sleep(300);
                if (System.nanoTime() >= nextKill && System.nanoTime() - t0 < killing.toNanos()) {
                    nextKill = System.nanoTime() + Duration.ofMillis(2000 + random.nextInt(2000)).toNanos();
                    // a random worker among those training (a worker still starting up holds nothing to lose)
                    List<Run> running = submitted.stream().map(r -> get(c, r)).filter(r -> r.getState() == Run.State.RUNNING).toList();
                    List<Integer> busy = new ArrayList<>();
                    for (int w = 0; w < ids.size(); w++) {
                        String id = ids.get(w);
                        if (running.stream().anyMatch(r -> r.getWorker().equals(id))) {
                            busy.add(w);
                        }
                    }
                    int victim = busy.isEmpty() ? random.nextInt(alive.size()) : busy.get(random.nextInt(busy.size()));
                    for (Run now : running) {
                        if (now.getWorker().equals(ids.get(victim))) {
                            orphaned.put(now.getName(), new long[] {System.nanoTime(), now.getAttempt()});
                        }
                    }
                    alive.get(victim).destroyForcibly().waitFor(); // SIGKILL mid-training
                    killed++;
                    alive.set(victim, worker(target, token, "w" + next));
                    ids.set(victim, "w" + next++);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int completed = 0;
            int attempts = 0;
            Tally tally = new Tally(0, 0, 0);
            for (int i = 0; i < runs; i++) {
                Run r = get(c, submitted.get(i));
                completed += r.getState() == Run.State.SUCCEEDED ? 1 : 0;
                attempts += r.getAttempt();
                if (r.getState() == Run.State.SUCCEEDED) {
                    tally = tally.plus(compare(c, r, specs.get(i)));
                }
            }
            System.out.printf("REAL-CHAOS: %d worker processes SIGKILLed, %d/%d real runs completed in %.1f s, %d attempts, %d points expected, "
                    + "%d lost, %d duplicated; orphaned runs RUNNING again after %s s (kill -> re-leased on another worker)%n",
                    killed, completed, runs, seconds, attempts, tally.points(), tally.lost(), tally.duplicated(),
                    recoveries.stream().map(d -> String.format("%.1f", d)).toList());
            assertEquals(runs, completed, "every run completes");
            assertEquals(0, tally.lost(), "no point lost");
            assertEquals(0, tally.duplicated(), "no point duplicated");
            assertTrue(killed >= 2, "killed " + killed);
            assertTrue(attempts > runs, "some runs were interrupted and resumed: " + attempts + " attempts");
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void afterKillMinus9TheServerKeepsEveryAcknowledgedRunAndPointAndRealRunsResume() throws Exception {
        serverCrash(2, 2, 3);
    }

    @Test
    @Tag("chaos")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void serverKillMinus9WithSixRealRunsAndRacingSubmissions() throws Exception {
        serverCrash(2, 6, 6);
    }

    /**
     * @param workers worker processes
     * @param runs    real runs submitted before the crash
     * @param burst   tiny real runs submitted while the server is killed (the acknowledged ones must survive)
     */
    void serverCrash(int workers, int runs, int burst) throws Exception {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
        Path home = dir.resolve("home");
        String token = addWorkerUser(home);
        Server server = serve(home, 0);
        String target = "127.0.0.1:" + server.port();
        List<Process> workerProcesses = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            workerProcesses.add(worker(target, token, "w" + i));
        }
        String admin = Files.readString(home.resolve("admin-token")).trim();
        List<Run> acked = new ArrayList<>();
        List<ExperimentSpec> specs = new ArrayList<>();
        Map<String, List<RunEvent>> seenBefore = new HashMap<>();
        Map<String, Integer> orphaned = new HashMap<>(); // w0's runs at the crash -> their attempt then
        try (KilnClient c = KilnClient.connect(target, admin, null)) {
            for (int i = 0; i < runs; i++) {
                specs.add(spec(200 + i % 2));
                acked.add(submit(c, specs.get(i)));
            }
            // crash once a checkpoint is stored (the runs are well into training)
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < end) {
                List<Run> now = acked.stream().map(r -> get(c, r)).toList();
                if (now.stream().anyMatch(r -> !r.getCheckpoint().isEmpty())
                        && now.stream().allMatch(r -> r.getState() == Run.State.QUEUED || !r.getCheckpoint().isEmpty())) {
                    break;
                }
                Thread.sleep(100);
            }
            for (Run r : acked) {
                long last = get(c, r).getLastSequence();
                List<RunEvent> got = new ArrayList<>();
                Iterator<RunEvent> it = c.experimentsStreaming(Duration.ofSeconds(30)).streamRunEvents(StreamRunEventsRequest.newBuilder()
                        .setName(r.getName()).build());
                while (got.size() < last && it.hasNext()) {
                    got.add(it.next());
                }
                seenBefore.put(r.getName(), got);
            }
            // submissions race with the crash: the server dies after the first is acknowledged, while others are on the way
            java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
            Thread submitter = new Thread(() -> {
                for (int i = 0; i < burst; i++) {
                    try {
                        ExperimentSpec s = spec(300, "trainer.epochs=1", "trainer.max_train_examples=96");
                        Run r = submit(c, s);
                        synchronized (acked) {
                            acked.add(r);
                            specs.add(s);
                        }
                        first.countDown();
                        Thread.sleep(20);
                    } catch (RuntimeException | InterruptedException e) {
                        return;
                    }
                }
            });
            submitter.start();
            first.await(20, TimeUnit.SECONDS);
            List<Run> beforeBurst;
            synchronized (acked) {
                beforeBurst = List.copyOf(acked.subList(0, runs));
            }
            for (Run r : beforeBurst) {
                Run now = get(c, r);
                if (now.getWorker().equals("w0")) {
                    orphaned.put(r.getName(), now.getAttempt());
                }
            }
            // the machine of worker w0 goes down with the server: its run must resume from its checkpoint elsewhere
            workerProcesses.get(0).destroyForcibly();
            server.process().destroyForcibly().waitFor(); // kill -9
            submitter.join(10_000);
            worker(target, token, "w" + workers); // w0's replacement: it connects once the server is back
        }
        long restart = System.nanoTime();
        serve(home, server.port());
        double upSeconds = (System.nanoTime() - restart) / 1e9;
        try (KilnClient c = KilnClient.connect(target, admin, null)) {
            double resumedSeconds = -1;
            long end = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            int done = 0;
            while (System.nanoTime() < end) {
                done = 0;
                int running = 0; // of the orphaned runs: leased again (or already done)
                for (Run r : acked) {
                    Run now = get(c, r);
                    done += terminal(now.getState()) ? 1 : 0;
                    Integer was = orphaned.get(r.getName());
                    running += was != null && (now.getAttempt() > was || terminal(now.getState())) ? 1 : 0;
                }
                if (resumedSeconds < 0 && !orphaned.isEmpty() && running == orphaned.size()) {
                    resumedSeconds = (System.nanoTime() - restart) / 1e9;
                }
                if (done == acked.size()) {
                    break;
                }
                Thread.sleep(200);
            }
            int succeeded = 0;
            int missing = 0;
            int before = 0;
            int attempts = 0;
            int resumed = 0;
            Tally tally = new Tally(0, 0, 0);
            for (int i = 0; i < acked.size(); i++) {
                Run r = get(c, acked.get(i));
                succeeded += r.getState() == Run.State.SUCCEEDED ? 1 : 0;
                attempts += r.getAttempt();
                List<RunEvent> after = events(c, r.getName());
                resumed += after.stream().anyMatch(e -> e.hasStateChange() && e.getStateChange().getState() == Run.State.RUNNING
                        && e.getStateChange().getResumeStep() > 0) ? 1 : 0;
                for (RunEvent e : seenBefore.getOrDefault(r.getName(), List.of())) {
                    before += e.hasMetric() ? 1 : 0;
                    if (e.getSequence() > after.size() || !after.get((int) e.getSequence() - 1).equals(e)) {
                        missing++;
                    }
                }
                if (r.getState() == Run.State.SUCCEEDED) {
                    tally = tally.plus(compare(c, r, specs.get(i)));
                }
            }
            System.out.printf("REAL-CRASH: %d acknowledged submissions (%d during the crash), %d/%d SUCCEEDED after restart (%d attempts, "
                    + "%d runs resumed from a checkpoint); "
                    + "%d metric points seen before the crash, %d events missing after it; %d points expected, %d lost, %d duplicated; "
                    + "server up %.1f s after restart; the crashed worker's %d run(s) re-leased %.1f s after restart%n",
                    acked.size(), acked.size() - runs, succeeded, acked.size(), attempts, resumed, before, missing, tally.points(), tally.lost(),
                    tally.duplicated(), upSeconds, orphaned.size(), resumedSeconds);
            assertEquals(acked.size(), succeeded, "every acknowledged submission ran to the end");
            assertEquals(0, missing, "every acknowledged event survived");
            assertTrue(before > 0, "the crash came mid-training");
            assertTrue(resumed > 0, "the run of the worker that died with the server resumed from its checkpoint");
            assertEquals(0, tally.lost());
            assertEquals(0, tally.duplicated());
        }
    }
}
