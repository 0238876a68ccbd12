package dev.kiln.run;

import com.google.gson.reflect.TypeToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.kiln.api.data.Dataset;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.train.Trainer;
import dev.kiln.engine.Engine;
import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.Backends;
import dev.kiln.engine.backend.OpProfile;
import dev.kiln.engine.backend.ProfilingBackend;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.model.Model;
import dev.kiln.model.data.DataLocator;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.runtime.PluginRegistry;
import dev.kiln.runtime.RunPlugins;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs experiments on this machine: a new run from a spec, a resumed run from its directory, and the evaluation of
 * a finished run. Everything the spec names is built and checked before the run directory is created.
 *
 * <p>Plugins come from the OSGi runtime's {@link PluginRegistry}: each session (a run, a resume, an evaluation)
 * leases the exact {@code bundle@version} of every plugin it uses for as long as it lasts ({@link RunPlugins}), so a
 * newer version dropped into the plugin folder meanwhile serves the next session, never this one.
 *
 * <p>A run directory holds {@code spec.json} (the resolved spec), {@code run.json} (plugins as
 * {@code "kind name" -> bundle@version} from the leases, backend, threads, overrides), {@code metrics.jsonl}, {@code summary.json}, {@code run.log},
 * PNG plots ({@code loss.png}, {@code accuracy.png}, {@code confusion.png}), checkpoints and {@code model.safetensors}.
 */
public final class Runner {

    /** Quality metrics of non-classifier trainers, copied from the results to the top of {@code summary.json}. */
    static final List<String> HEADLINE = List.of("test_neg_elbo", "test_reconstruction_nll", "test_kl", "test_reconstruction_mse",
            "test_corrupted_mse", "frechet_distance", "test_cycle_l1");

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final RunOptions options;
    private final PluginRegistry registry;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    /** @param registry the plugin runtime's registry (one runtime per process; many runners may share it) */
    public Runner(RunOptions options, PluginRegistry registry) {
        this.options = options;
        this.registry = registry;
    }

    /** Asks the running trainer to checkpoint and return (Ctrl-C); waits up to {@code timeoutSeconds} for it. */
    public boolean requestStop(long timeoutSeconds) throws InterruptedException {
        stop.set(true);
        return done.await(timeoutSeconds, TimeUnit.SECONDS);
    }

    /** What a finished session reports: the run directory and its summary. */
    public record Outcome(Path runDir, Map<String, Object> summary) {
        public String status() {
            return String.valueOf(summary.get("status"));
        }
    }

    /** Validates the spec, creates {@code <out>/<name>-<timestamp>/} and trains. */
    public Outcome start(SpecDocument doc, List<String> overrides) throws IOException {
        return start(doc, overrides, null);
    }

    /**
     * Validates the spec and trains in {@code dir}, a folder the caller owns (a worker's attempt directory): created if
     * absent, and it must not hold a run yet (no {@code spec.json}); other files in it are left alone. The run is
     * named after the folder. {@link #resume} continues it like any run directory.
     */
    public Outcome startIn(Path dir, SpecDocument doc, List<String> overrides) throws IOException {
        if (dir == null) {
            throw new IllegalArgumentException("startIn needs a directory; start(doc, overrides) makes a new one");
        }
        if (Files.exists(dir.resolve("spec.json"))) {
            throw new IllegalArgumentException(dir + " already holds a run (spec.json); continue it with resume, or start in an empty folder");
        }
        return start(doc, overrides, dir);
    }

    private Outcome start(SpecDocument doc, List<String> overrides, Path given) throws IOException {
        String holder = given != null ? given.toString() : doc.spec().getName() + "-" + LocalDateTime.now().format(STAMP);
        try (RunPlugins plugins = new RunPlugins(registry, holder); Prepared p = prepare(doc, plugins)) {
            Path dir = given != null ? Files.createDirectories(given) : newRunDir(doc.spec().getName());
            Files.writeString(dir.resolve("spec.json"), JsonFormat.printer().print(doc.spec()), StandardCharsets.UTF_8);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("name", dir.getFileName().toString());
            run.put("spec_file", doc.file());
            run.put("overrides", overrides);
            run.put("backend", p.engine.backend());
            run.put("backend_reason", p.backendReason);
            run.put("threads", options.threads());
            run.put("plugins", pluginVersions(plugins));
            run.put("java", Runtime.version().toString());
            run.put("started", LocalDateTime.now().toString());
            Files.writeString(dir.resolve("run.json"), Recorder.GSON.toJson(run), StandardCharsets.UTF_8);
            Outcome outcome = train(p, dir, false, 0);
            Map<String, String> after = pluginVersions(plugins);
            if (!after.equals(run.get("plugins"))) { // a trainer may have asked for more plugins while training
                run.put("plugins", after);
                Files.writeString(dir.resolve("run.json"), Recorder.GSON.toJson(run), StandardCharsets.UTF_8);
            }
            return outcome;
        } finally {
            done.countDown();
        }
    }

    /** Continues a run from its latest checkpoint, in the same directory, with the same spec. */
    public Outcome resume(Path runDir) throws IOException {
        try (RunPlugins plugins = new RunPlugins(registry, runDir.getFileName() + " (resumed)");
             Prepared p = prepare(readSpec(runDir), plugins)) {
            double previousWall = 0;
            Path summary = runDir.resolve("summary.json");
            if (Files.exists(summary)) {
                Map<String, Object> s = readJson(summary);
                previousWall = s.get("wall_seconds") instanceof Number n ? n.doubleValue() : 0;
            }
            return train(p, runDir, true, previousWall);
        } finally {
            done.countDown();
        }
    }

    /**
     * Checks a spec against this runtime without building anything: its settings and that every plugin it names is
     * registered here. Throws {@link SpecException} listing every problem.
     */
    public void check(SpecDocument doc) {
        try (RunPlugins plugins = new RunPlugins(registry, doc.spec().getName() + " (check)")) {
            new Experiment(doc, plugins).checkNames();
        }
    }

    /** Evaluates a run's final weights (or its latest checkpoint) on the test split; results go to {@code RUN/eval/}. */
    public Map<String, Double> evaluate(Path runDir) throws IOException {
        try (RunPlugins plugins = new RunPlugins(registry, runDir.getFileName() + " (eval)");
             Prepared p = prepare(readSpec(runDir), plugins)) {
            Path out = runDir.resolve("eval");
            Files.createDirectories(out);
            Path weights = runDir;
            if (!Files.exists(runDir.resolve(p.models.keySet().iterator().next() + ".safetensors"))) {
                weights = Checkpoints.latest(runDir);
            }
            for (Map.Entry<String, Model> m : p.models.entrySet()) {
                try (MemoryScope scope = p.engine.scope(); GradMode off = p.engine.noGrad()) {
                    Map<String, Tensor> values = new LinkedHashMap<>();
                    Safetensors.read(weights.resolve(m.getKey() + ".safetensors")).tensors()
                            .forEach((k, t) -> values.put(k, StoredTensors.load(p.engine, t)));
                    m.getValue().loadState(values);
                }
            }
            try (Recorder recorder = new Recorder(out, 1, 0, options.listener(), -1)) {
                HostRun run = new HostRun(p.experiment, p.engine, p.dataset, p.models, recorder, out, 0, stop, false);
                recorder.log("evaluating " + weights + " " + p.models.keySet() + " on " + p.dataset.info().name() + " (test)");
                try {
                    p.trainer.evaluate(run);
                } finally {
                    run.closeLoaders();
                }
                Files.writeString(out.resolve("summary.json"), Recorder.GSON.toJson(recorder.results()), StandardCharsets.UTF_8);
                return recorder.results();
            }
        } finally {
            done.countDown();
        }
    }

    /**
     * @param backend the selected backend, closed with the session
     * @param profile the backend calls' timings when {@code --profile} asked for them, else null
     */
    private record Prepared(Experiment experiment, Engine engine, Backend backend, String backendReason,
                            Trainer trainer, Dataset dataset, Map<String, Model> models, OpProfile profile) implements AutoCloseable {

        /**
         * Releases what the backend holds outside tensors: a native backend's thread pool, oneDNN plans and freed-block
         * cache. A server or worker runs many sessions in one process, each with its own backend.
         */
        @Override
        public void close() {
            closeBackend(backend);
        }
    }

    private static void closeBackend(Backend backend) {
        if (backend instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing backend " + backend.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /** {@code "kind name" -> bundle@version} of every plugin the session leased, sorted for a stable record. */
    static Map<String, String> pluginVersions(RunPlugins plugins) {
        Map<String, String> out = new TreeMap<>();
        plugins.leased().forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    /** Names first (cheap), then the backend, then every plugin built (and leased) once: all before any work. */
    private Prepared prepare(SpecDocument doc, RunPlugins plugins) {
        Experiment experiment = new Experiment(doc, plugins);
        experiment.checkNames();
        String backendName = options.backend() != null ? options.backend() : doc.spec().getBackend().isEmpty() ? null : doc.spec().getBackend();
        Backends.Selection selection = Backends.discover().select(backendName, options.threads());
        try {
            OpProfile profile = options.profile() ? new OpProfile() : null;
            Engine engine = new Engine(profile == null ? selection.backend() : ProfilingBackend.wrap(selection.backend(), profile));
            Trainer trainer = experiment.trainer();
            Dataset dataset = experiment.dataset(new DataLocator(options.dataDir(), doc.spec().getSeed()));
            Map<String, Model> models = experiment.models(dataset.info().exampleShape(), engine, DType.FLOAT32, doc.spec().getSeed());
            experiment.loss(engine);
            experiment.checkOptimizers(models, engine);
            experiment.schedule();
            return new Prepared(experiment, engine, selection.backend(), selection.reason(), trainer, dataset, models, profile);
        } catch (RuntimeException | Error e) {
            closeBackend(selection.backend());
            throw e;
        }
    }

    /** Every how many steps a run logs a {@code "step"} line to {@code metrics.jsonl} (the last step of an epoch always). */
    public static int logEvery(ExperimentSpec spec) {
        return spec.getTrainer().getLogEverySteps() > 0 ? spec.getTrainer().getLogEverySteps() : 50;
    }

    private Outcome train(Prepared p, Path dir, boolean resuming, double previousWall) throws IOException {
        ExperimentSpec spec = p.experiment.spec();
        int logEvery = logEvery(spec);
        long keep = resuming ? HostRun.metricsLines(dir) : -1;
        long start = System.nanoTime();
        Map<String, Object> summary = new LinkedHashMap<>();
        try (Recorder recorder = new Recorder(dir, logEvery, spec.getTrainer().getEpochs(), options.listener(), keep)) {
            HostRun run = new HostRun(p.experiment, p.engine, p.dataset, p.models, recorder, dir, options.stopAfterSteps(), stop, resuming);
            recorder.log((resuming ? "resuming " : "starting ") + dir.getFileName() + " on backend " + p.engine.backend()
                    + " with " + options.threads() + " threads" + run.resumePoint().map(c -> " at epoch " + c.epoch()
                    + ", batch " + c.batch() + ", step " + c.step()).orElse(""));
            String error = null;
            try {
                p.trainer.train(run);
            } catch (RuntimeException e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage();
                recorder.log("failed: " + error);
            } finally {
                run.closeLoaders();
            }
            boolean finished = error == null && !recorder.results().isEmpty();
            summary.put("name", dir.getFileName().toString());
            summary.put("status", error != null ? "failed" : finished ? "completed" : "stopped");
            if (error != null) {
                summary.put("error", error);
            }
            summary.put("test_accuracy", recorder.results().get("test_accuracy"));
            summary.put("test_loss", recorder.results().get("test_loss"));
            summary.put("best_val_accuracy", recorder.results().get("best_val_accuracy"));
            summary.put("epochs", recorder.epochHistory().size());
            summary.put("wall_seconds", Math.round((previousWall + (System.nanoTime() - start) / 1e9) * 1000) / 1000.0);
            summary.put("train_images_per_second", Math.round(recorder.imagesPerSecond() * 10) / 10.0);
            summary.put("train_steps_per_second", Math.round(recorder.stepsPerSecond() * 100) / 100.0);
            for (String k : HEADLINE) {
                if (recorder.results().containsKey(k)) {
                    summary.put(k, recorder.results().get(k));
                }
            }
            summary.put("backend", p.engine.backend());
            summary.put("threads", options.threads());
            summary.put("expected_result", spec.getExpectedResult());
            Map<String, Object> results = new LinkedHashMap<>(recorder.results());
            summary.put("results", results);
            if (finished) {
                run.saveFinal();
            }
            recorder.plots();
            if (p.profile != null) {
                writeProfile(p.profile, (System.nanoTime() - start) / 1e9, dir, recorder);
            }
            Files.writeString(dir.resolve("summary.json"), Recorder.GSON.toJson(summary), StandardCharsets.UTF_8);
            recorder.log(summary.get("status") + ": " + dir);
        }
        return new Outcome(dir, summary);
    }

    /** {@code profile.json} (every backend call's time) and the costliest calls in the log. */
    private static void writeProfile(OpProfile profile, double wallSeconds, Path dir, Recorder recorder) throws IOException {
        Map<String, Object> report = profile.report(wallSeconds);
        Files.writeString(dir.resolve("profile.json"), Recorder.GSON.toJson(report), StandardCharsets.UTF_8);
        recorder.log(String.format("profile: %.1f s in backend calls of %.1f s this session (%.0f%% outside them: autograd, loop, data);"
                + " profile.json has every call", profile.totalNanos() / 1e9, wallSeconds,
                100 * Math.max(0, 1 - profile.totalNanos() / 1e9 / Math.max(1e-9, wallSeconds))));
        profile.table(12).forEach(recorder::log);
    }

    private Path newRunDir(String name) throws IOException {
        Files.createDirectories(options.outDir());
        String base = name + "-" + LocalDateTime.now().format(STAMP);
        Path dir = options.outDir().resolve(base);
        for (int i = 2; Files.exists(dir); i++) {
            dir = options.outDir().resolve(base + "-" + i);
        }
        Files.createDirectory(dir);
        return dir;
    }

    /** The resolved spec a run directory was started with. */
    public static SpecDocument readSpec(Path runDir) throws IOException {
        Path file = runDir.resolve("spec.json");
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(runDir + " is not a run directory (no spec.json); runs are listed by kiln runs");
        }
        ExperimentSpec.Builder b = ExperimentSpec.newBuilder();
        try {
            JsonFormat.parser().merge(Files.readString(file, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return new SpecDocument(b.build(), file.toString(), Map.of());
    }

    static Map<String, Object> readJson(Path file) throws IOException {
        return Recorder.GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), new TypeToken<Map<String, Object>>() { }.getType());
    }

    /** The runs under a folder, newest first, with their summaries (or spec only, while running). */
    public static List<Map<String, Object>> list(Path outDir) throws IOException {
        if (!Files.isDirectory(outDir)) {
            return List.of();
        }
        try (var dirs = Files.list(outDir)) {
            return dirs.filter(d -> Files.exists(d.resolve("spec.json")))
                    .sorted((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()))
                    .map(d -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("run", d.getFileName().toString());
                        try {
                            if (Files.exists(d.resolve("summary.json"))) {
                                row.putAll(readJson(d.resolve("summary.json")));
                            } else {
                                row.put("status", "running or killed");
                            }
                        } catch (IOException e) {
                            row.put("status", "unreadable: " + e.getMessage());
                        }
                        row.put("dir", d.toString());
                        return row;
                    }).toList();
        }
    }
}
