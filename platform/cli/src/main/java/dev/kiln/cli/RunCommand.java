package dev.kiln.cli;

import dev.kiln.run.RunListener;
import dev.kiln.run.RunOptions;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.run.Runner;
import dev.kiln.run.SpecDocument;
import dev.kiln.run.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.kiln.model.data.DataFetcher;
import dev.kiln.model.data.DataLocator;
import dev.kiln.model.data.KnownDatasets;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code kiln run SPEC}: validates the experiment, creates {@code runs/<name>-<timestamp>/} and trains with a
 * progress bar; {@code kiln run --resume RUN_DIR} continues a stopped run from its latest checkpoint. Ctrl-C asks
 * the trainer to checkpoint and stop.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {"Train an experiment from a YAML spec (or resume a run) and write its run directory:",
                "spec.json, run.json (with the bundle@version of every plugin used), metrics.jsonl, summary.json,",
                "loss/accuracy/confusion PNGs, safetensors checkpoints. Plugins come from the core plugins and --plugins DIR."})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "Experiment YAML, e.g. experiments/fashion-lenet.yaml.")
    Path spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Look for datasets here first (then $KILN_DATA, ~/.kiln/data, /usr/share/datasets).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "Where run directories go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: available processors).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--backend", paramLabel = "B", description = "Backend (java, cpu, ...); default: the spec's, else the best available.")
    String backend;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue this run from its latest checkpoint (no SPEC).")
    Path resume;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field of the spec, e.g. --set trainer.epochs=1 --set optimizer.params.lr=0.01.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugin folder (default: $KILN_HOME/plugins, KILN_HOME defaulting to ~/.kiln); a"
            + " plugin there with the same name as a core one and a higher bundle version is used instead.")
    Path plugins;

    @Option(names = "--no-fetch", description = "Do not fetch a known dataset (Fashion-MNIST) that is missing here; fail and say what to run instead.")
    boolean noFetch;

    @Option(names = "--profile", description = "Time every backend call (convolutions, GEMMs, element-wise ops, ...) and write profile.json"
            + " to the run directory; the costliest calls are printed at the end. Adds well under a microsecond per call.")
    boolean profile;

    @Option(names = "--stop-after-steps", hidden = true, defaultValue = "0", description = "Stop (with a checkpoint) after N steps; for tests.")
    long stopAfterSteps;

    @Override
    public Integer call() throws Exception {
        if ((spec == null) == (resume == null)) {
            throw new IllegalArgumentException(resume == null ? "name an experiment: kiln run experiments/fashion-lenet.yaml"
                    : "give either SPEC or --resume RUN_DIR, not both");
        }
        if (resume != null && !overrides.isEmpty()) {
            throw new IllegalArgumentException("--set cannot change a run being resumed; it continues with its own spec.json");
        }
        ProgressBar progress = new ProgressBar(System.out, System.console() != null && System.getenv("KILN_PLAIN") == null, 50);
        boolean timing = System.getenv("KILN_TIMING") != null;
        long t0 = System.nanoTime();
        try (KilnRuntime kiln = PluginRuntime.start(plugins)) {
            long frameworkMs = (System.nanoTime() - t0) / 1_000_000;
            RunListener listener = !timing ? progress : new RunListener() {
                private boolean first = true;

                @Override
                public void step(int epoch, int epochs, int batch, int batches, long step, Map<String, Double> m, double rate) {
                    if (first) {
                        first = false;
                        long sinceJvm = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                        System.err.printf("kiln: timing: first training step done %d ms after JVM start (plugin framework start %d ms)%n",
                                sinceJvm, frameworkMs);
                    }
                    progress.step(epoch, epochs, batch, batches, step, m, rate);
                }

                @Override
                public void epoch(int epoch, int epochs, Map<String, Double> m) {
                    progress.epoch(epoch, epochs, m);
                }

                @Override
                public void log(String line) {
                    progress.log(line);
                }
            };
            return run(new Runner(new RunOptions(data, out, threads, backend, stopAfterSteps, listener, profile), kiln.registry()), progress);
        }
    }

    /** The summary fields the last line shows when the run has them: each trainer's headline metric. */
    private static final List<String> HEADLINE = List.of("test_accuracy", "test_loss", "test_neg_elbo", "test_reconstruction_mse",
            "frechet_distance", "test_cycle_l1", "epochs");

    private int run(Runner runner, ProgressBar progress) throws Exception {
        Thread hook = new Thread(() -> {
            try {
                System.err.println("\nkiln: stopping: saving a checkpoint (Ctrl-C again to kill)");
                runner.requestStop(60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kiln-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Runner.Outcome outcome;
        try {
            if (resume != null) {
                outcome = runner.resume(resume);
            } else {
                SpecDocument doc = SpecLoader.load(spec, overrides);
                if (!noFetch) {
                    fetchIfMissing(doc.spec().getDataset().getName());
                }
                progress.batchSize(doc.spec().getTrainer().getBatchSize());
                outcome = runner.start(doc, overrides);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        Map<String, Object> s = outcome.summary();
        StringBuilder line = new StringBuilder(s.get("status") + ": " + outcome.runDir());
        for (String key : HEADLINE) {
            if (s.get(key) != null) {
                line.append("  ").append(key).append(' ').append(s.get(key));
            }
        }
        System.out.println(line.append("  ").append(s.get("wall_seconds")).append(" s  ").append(s.get("train_images_per_second"))
                .append(" img/s"));
        if ("failed".equals(s.get("status"))) {
            System.err.println("kiln: error: " + s.get("error"));
            return KilnCommand.EXIT_FAILURE;
        }
        return 0;
    }

    /**
     * A dataset kiln can obtain by itself (apt package or verified download) that is not on this machine is
     * fetched before the run starts, as {@code kiln data fetch NAME} would; any other missing dataset is left
     * to the run, whose error lists where it looked and what to do.
     */
    private void fetchIfMissing(String name) throws Exception {
        Optional<KnownDatasets.Source> source = KnownDatasets.source(name);
        if (source.isEmpty() || (source.get().aptPackage() == null && source.get().baseUrl() == null)) {
            return;
        }
        DataLocator locator = new DataLocator(data, 0);
        if (locator.find(name, source.get().requiredFiles()).isPresent()) {
            return;
        }
        System.err.println("kiln: " + name + " is not on this machine; fetching it (as `kiln data fetch " + name
                + "` does; --no-fetch to skip)");
        try {
            System.err.println("kiln: " + name + " is now in " + new DataFetcher(locator).fetch(name));
        } catch (IOException e) {
            throw new IllegalStateException("could not fetch " + name + ": " + e.getMessage() + "\n" + locator.howToInstall(name), e);
        }
    }
}
