package dev.kiln.cli;

import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.proto.v1.Artifact;
import dev.kiln.proto.v1.ListArtifactsRequest;
import dev.kiln.run.RunOptions;
import dev.kiln.run.Runner;
import dev.kiln.run.SpecLoader;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.server.KilnClient;
import dev.kiln.server.KilnServer;
import dev.kiln.server.Role;
import dev.kiln.server.Tokens;
import dev.kiln.server.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real experiment through the lab server, over real gRPC on loopback: a server in this JVM, a worker connected to
 * it over TCP that runs the spec with {@link RunnerExecutor} (core plugins in a real framework), {@code kiln submit
 * --watch} and {@code kiln fetch} as a user would. The fetched run equals a local run of the same spec: same test
 * accuracy, bit-identical weights.
 */
class RemoteRunTest {

    static final Path FASHION = RunCommandTest.FASHION;

    /** experiments/fashion-mlp.yaml, cut down to 256 training images and one epoch. */
    static final String SPEC = """
            name: fashion-mlp
            seed: 42
            dataset:
              name: fashion-mnist
              params:
                validation_fraction: 0.1
                transforms:
                  - {name: normalize, params: {mean: 0.2860, std: 0.3530}}
            model:
              layers:
                - {name: flatten}
                - {name: linear, params: {out_features: 256}}
                - {name: relu}
                - {name: linear, params: {out_features: 128}}
                - {name: relu}
                - {name: linear, params: {out_features: 10}}
            loss: {name: cross_entropy}
            optimizer: {name: adam, params: {lr: 0.001}}
            trainer:
              name: supervised
              epochs: 1
              batch_size: 64
              max_train_examples: 256
              max_eval_examples: 512
              log_every_steps: 1
              params:
                early_stopping: {monitor: val_accuracy, mode: max, patience: 4, restore_best: true}
                checkpoint_every_steps: 2
            backend: java
            """;

    @TempDir
    Path tmp;

    private record Cli(int code, String out, String err) {
    }

    private static Cli kiln(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = KilnCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Cli(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void submitChecksTheSpecOnTheClientWithFileLinePathMessages() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), SPEC.replace("trainer:\n  name: supervised\n  epochs: 1",
                "trainer:\n  name: supervised\n  epoch: 1"));
        Cli c = kiln("submit", bad.toString(), "--server", "127.0.0.1:1", "--token", "t"); // fails before any connection
        assertEquals(KilnCommand.EXIT_USAGE, c.code(), c.out() + c.err());
        assertTrue(c.err().contains("bad.yaml:21: trainer.epoch: \"epoch\" is not a field of trainer (TrainerSpec); did you mean \"epochs\"?"),
                c.err());
        Cli set = kiln("submit", tmp.resolve("x.yaml").toString(), "--server", "127.0.0.1:1", "--token", "t");
        assertEquals(KilnCommand.EXIT_USAGE, set.code());
        Path ok = Files.writeString(tmp.resolve("ok.yaml"), SPEC);
        Cli override = kiln("submit", ok.toString(), "--set", "trainer.epochs=zero", "--server", "127.0.0.1:1", "--token", "t");
        assertEquals(KilnCommand.EXIT_USAGE, override.code(), override.err());
        assertTrue(override.err().contains("trainer.epochs"), override.err());
    }

    @Test
    void aRealSpecRunsOnARemoteWorkerStreamsMetricsAndFetchesWhatALocalRunMakes() throws Exception {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
        long t0 = System.nanoTime();
        Path spec = Files.writeString(tmp.resolve("fashion-mlp-tiny.yaml"), SPEC);
        KilnServer.Config config = new KilnServer.Config().home(tmp.resolve("home")).port(0)
                .timing(Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(3)); // no in-process worker
        try (KilnServer server = KilnServer.start(config);
             KilnRuntime kiln = PluginRuntime.start(tmp.resolve("plugins"))) {
            String target = "127.0.0.1:" + server.port();
            String workerToken = Tokens.generate();
            server.store().addUser("gpu-box", Role.WORKER, Tokens.sha256(workerToken));
            String userToken = Tokens.generate();
            server.store().addUser("alice", Role.USER, Tokens.sha256(userToken));

            try (KilnClient wc = KilnClient.connect(target, workerToken, null);
                 Worker worker = new Worker(wc.channel(), wc.credentials(), new RunnerExecutor(kiln.registry(), FASHION, 1, "java"),
                         Worker.Options.of("gpu-box-1", tmp.resolve("work"))).start()) {
                assertTrue(worker.awaitRegistered(Duration.ofSeconds(10)), "the worker registers over loopback");

                Cli submit = kiln("submit", spec.toString(), "--watch", "--server", target, "--token", userToken);
                assertEquals(0, submit.code(), submit.out() + submit.err());
                Matcher name = Pattern.compile("^(runs/\\S+)", Pattern.MULTILINE).matcher(submit.out());
                assertTrue(name.find(), submit.out());
                String run = name.group(1);
                for (String line : List.of(" step 1 loss=", " step 4 epoch_loss=", " step 4 val_accuracy=", " step 4 test_accuracy=",
                        "checkpoint runs/", run + " SUCCEEDED")) {
                    assertTrue(submit.out().contains(line), "the watch shows '" + line + "':\n" + submit.out());
                }

                Cli fetch = kiln("fetch", run, "--out", tmp.resolve("fetched").toString(), "--server", target, "--token", userToken);
                assertEquals(0, fetch.code(), fetch.out() + fetch.err());
                Path remote = tmp.resolve("fetched").resolve(run.substring(5));
                try (KilnClient c = KilnClient.connect(target, userToken, null)) {
                    List<String> files = c.experiments().listArtifacts(ListArtifactsRequest.newBuilder().setParent(run).build())
                            .getArtifactsList().stream().map(a -> a.getKind() + ":" + a.getFileName()).toList();
                    for (String f : List.of("file:summary.json", "file:model.safetensors", "file:metrics.jsonl", "file:spec.json",
                            "file:run.json", "checkpoint:checkpoint-00000002.zip", "checkpoint:checkpoint-00000004.zip")) {
                        assertTrue(files.contains(f), f + " among " + files);
                    }
                }

                Runner.Outcome local = new Runner(new RunOptions(FASHION, tmp.resolve("local"), 1, "java", 0, null), kiln.registry())
                        .start(SpecLoader.load(spec, List.of()), List.of());
                assertEquals("completed", local.status(), String.valueOf(local.summary()));
                Map<String, Object> remoteSummary = Runner.list(remote.getParent()).get(0);
                assertEquals("completed", remoteSummary.get("status"), remoteSummary.toString());
                assertEquals(((Number) local.summary().get("test_accuracy")).doubleValue(),
                        ((Number) remoteSummary.get("test_accuracy")).doubleValue(), 0.0, "same spec and seed, same test accuracy");
                assertEquals(((Number) local.summary().get("test_loss")).doubleValue(),
                        ((Number) remoteSummary.get("test_loss")).doubleValue(), 0.0);
                SafetensorsFile a = Safetensors.read(local.runDir().resolve("model.safetensors"));
                SafetensorsFile b = Safetensors.read(remote.resolve("model.safetensors"));
                assertEquals(a.tensors().keySet(), b.tensors().keySet());
                for (String k : a.tensors().keySet()) {
                    assertTrue(Arrays.equals(a.tensor(k).toFloatArray(), b.tensor(k).toFloatArray()), "weights " + k + " are bit-identical");
                }
            }
        }
        System.out.printf("RemoteRunTest: submit -> succeeded -> fetched -> compared with a local run in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
