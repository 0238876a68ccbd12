package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code kiln run} with its plugins from the framework: the core bundles (named by surefire) and a user folder. */
class RunCommandTest {

    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    static final String SPEC = """
            name: cli-tiny
            seed: 1
            dataset: {name: fashion-mnist}
            model:
              layers:
                - {name: flatten}
                - {name: linear, params: {out_features: 10}}
            loss: {name: cross_entropy}
            optimizer: {name: adam, params: {lr: 0.001}}
            trainer: {name: supervised, epochs: 1, batch_size: 32, max_train_examples: 64, max_eval_examples: 64}
            """;

    @TempDir
    Path tmp;

    private record Outcome(int code, String err) {
    }

    private Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = KilnCommand.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Outcome(cl.execute(args), err.toString());
    }

    @Test
    void misspelledPluginIsAUsageErrorWithTheRegistrysSuggestion() throws Exception {
        Path spec = Files.writeString(tmp.resolve("x.yaml"), SPEC);
        Outcome o = run("run", spec.toString(), "--plugins", tmp.resolve("plugins").toString(), "--out", tmp.resolve("runs").toString(),
                "--set", "optimizer.name=adamm");
        assertEquals(KilnCommand.EXIT_USAGE, o.code(), o.err());
        assertTrue(o.err().contains("\"adamm\" is not a registered optimizer; did you mean \"adam\"?"), o.err());
    }

    @Test
    void trainsWithTheCorePluginsAndRecordsTheirVersions() throws Exception {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
        Path spec = Files.writeString(tmp.resolve("x.yaml"), SPEC);
        Path runs = tmp.resolve("runs");
        Outcome o = run("run", spec.toString(), "--data", FASHION.toString(), "--plugins", tmp.resolve("plugins").toString(),
                "--out", runs.toString(), "--backend", "java", "--threads", "1");
        assertEquals(0, o.code(), o.err());
        Path dir;
        try (Stream<Path> s = Files.list(runs)) {
            dir = s.findFirst().orElseThrow();
        }
        String runJson = Files.readString(dir.resolve("run.json"));
        assertTrue(runJson.contains("\"optimizer adam\": \"dev.kiln.plugins.optimizers@"), runJson);
        assertTrue(runJson.contains("\"trainer supervised\": \"dev.kiln.plugins.trainers@"), runJson);
    }

    /** A server or worker runs many sessions in one process: each session's native backend is closed when it ends. */
    @Test
    void eachRunClosesItsNativeBackendsThreadsAndCaches() throws Exception {
        assumeTrue(Files.exists(FASHION.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + FASHION);
        // a 32x32x26x26 relu is large enough to be split over the backend's second thread, so each run starts one
        Path spec = Files.writeString(tmp.resolve("x.yaml"), SPEC.replace("- {name: flatten}",
                "- {name: conv2d, params: {out_channels: 32, kernel_size: 3}}\n    - {name: relu}\n    - {name: flatten}"));
        for (int i = 0; i < 3; i++) {
            Outcome o = run("run", spec.toString(), "--data", FASHION.toString(), "--plugins", tmp.resolve("plugins").toString(),
                    "--out", tmp.resolve("runs").toString(), "--backend", "cpu", "--threads", "2");
            assertEquals(0, o.code(), o.err());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        long alive;
        do {
            alive = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("kiln-cpu-") && t.isAlive()).count();
            if (alive > 0) {
                Thread.sleep(50);
            }
        } while (alive > 0 && System.nanoTime() < deadline);
        assertEquals(0, alive, "threads of finished runs' backends still alive: " + Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName).filter(n -> n.startsWith("kiln-cpu-")).toList());
    }

    @Test
    void pluginClassesAreNotOnTheHostClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.kiln.plugins.optimizers.AdamFactory"));
    }
}
