package dev.kiln.server;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.PluginRef;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import dev.kiln.proto.v1.TrainerSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A real server on a free loopback port over a real store in a temporary KILN_HOME, with short timeouts. */
final class Harness implements AutoCloseable {

    final Path home;
    final KilnServer server;
    final String adminToken;
    final List<AutoCloseable> closeables = new ArrayList<>();

    Harness(Path home) throws IOException {
        this(home, c -> { });
    }

    Harness(Path home, java.util.function.Consumer<KilnServer.Config> tweak) throws IOException {
        this.home = home;
        KilnServer.Config c = new KilnServer.Config().home(home).port(0)
                .timing(Duration.ofMillis(1500), Duration.ofMillis(200), Duration.ofSeconds(3));
        tweak.accept(c);
        server = KilnServer.start(c);
        adminToken = java.nio.file.Files.readString(home.resolve("admin-token")).trim();
    }

    String target() {
        return "127.0.0.1:" + server.port();
    }

    /** A new user with the given role; returns its token. */
    String user(String name, Role role) {
        String token = Tokens.generate();
        server.store().addUser(name, role, Tokens.sha256(token));
        return token;
    }

    KilnClient client(String token) throws IOException {
        KilnClient c = KilnClient.connect(target(), token, null);
        closeables.add(c);
        return c;
    }

    Worker worker(String id, int slots, RunExecutor executor) throws Exception {
        return worker(id, slots, executor, Worker.Options.of(id, home.resolve("work-" + id)).capabilities());
    }

    Worker worker(String id, int slots, RunExecutor executor, dev.kiln.proto.v1.Capabilities capabilities) throws Exception {
        KilnClient c = client(user("worker-" + id + "-" + UUID.randomUUID().toString().substring(0, 6), Role.WORKER));
        Worker.Options o = Worker.Options.of(id, home.resolve("work-" + id)).withSlots(slots);
        o = new Worker.Options(o.workerId(), o.slots(), capabilities, o.workDir(), o.flushInterval(), o.connectDeadline(), o.artifactDeadline());
        Worker w = new Worker(c.channel(), c.credentials(), executor, o).start();
        closeables.add(w);
        if (!w.awaitRegistered(Duration.ofSeconds(10))) {
            throw new AssertionError("worker " + id + " did not register");
        }
        return w;
    }

    static ExperimentSpec synthetic(String name, long seed, int epochs, int stepsPerEpoch, int stepMs, int checkpointEvery) {
        Struct params = Struct.newBuilder()
                .putFields("steps_per_epoch", Value.newBuilder().setNumberValue(stepsPerEpoch).build())
                .putFields("step_ms", Value.newBuilder().setNumberValue(stepMs).build())
                .putFields("checkpoint_every", Value.newBuilder().setNumberValue(checkpointEvery).build()).build();
        return ExperimentSpec.newBuilder().setName(name).setSeed(seed)
                .setDataset(PluginRef.newBuilder().setName("synthetic-regression"))
                .setTrainer(TrainerSpec.newBuilder().setName(SyntheticExecutor.TRAINER).setEpochs(epochs).setParams(params)).build();
    }

    static Run submit(KilnClient c, ExperimentSpec spec) {
        return c.experiments().createRun(CreateRunRequest.newBuilder().setSpec(spec).setRequestId(UUID.randomUUID().toString()).build());
    }

    static Run await(KilnClient c, String name, Duration timeout, Run.State... states) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Run r = null;
        while (System.nanoTime() < end) {
            r = c.experiments().getRun(GetRunRequest.newBuilder().setName(name).build());
            for (Run.State s : states) {
                if (r.getState() == s) {
                    return r;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not reach " + List.of(states) + " within " + timeout + "; last: " + r);
    }

    /** Every event of a run until the stream ends (the run is terminal). */
    static List<RunEvent> watch(KilnClient c, String name, long after, Duration deadline) {
        List<RunEvent> out = new ArrayList<>();
        Iterator<RunEvent> it = c.experimentsStreaming(deadline).streamRunEvents(StreamRunEventsRequest.newBuilder().setName(name).setAfterSequence(after).build());
        it.forEachRemaining(out::add);
        return out;
    }

    /** The series a run of this spec reports when nothing disturbs it: step/key → value. */
    static Map<String, Double> undisturbed(ExperimentSpec spec, Path dir) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        java.nio.file.Files.createDirectories(dir);
        ExperimentSpec fast = spec.toBuilder().setTrainer(spec.getTrainer().toBuilder().setParams(spec.getTrainer().getParams().toBuilder()
                .putFields("step_ms", Value.newBuilder().setNumberValue(0).build()))).build();
        new SyntheticExecutor().execute(new RunExecutor.Task("runs/x", 1, fast, dir, null, 0, () -> false), new RunExecutor.Events() {
            public void metric(long step, int epoch, String key, double value) {
                out.put(step + "/" + key, value);
            }

            public void log(String line) { }

            public void image(String title, long step, byte[] png) { }

            public void checkpoint(long step, Path file) { }

            public void file(Path file) { }
        });
        return out;
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // closing
            }
        }
        server.close();
    }
}
