package dev.kiln.cli;

import com.google.protobuf.util.JsonFormat;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.run.RunListener;
import dev.kiln.run.RunOptions;
import dev.kiln.run.Runner;
import dev.kiln.run.SpecDocument;
import dev.kiln.run.SpecException;
import dev.kiln.runtime.PluginRegistry;
import dev.kiln.server.RunExecutor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A worker's {@link RunExecutor} over the real run machinery ({@code platform/run}'s {@link Runner}, plugins from this
 * process's OSGi runtime): the attempt directory is the run directory, so it ends up laid out like a
 * {@code kiln run} directory.
 *
 * <ul>
 *   <li>Metrics: the lines of {@code metrics.jsonl} become metric points, on the steps the run logs (every
 *   {@code trainer.log_every_steps}, 50 by default, and the last step of each epoch): step metrics under their own keys
 *   ({@code loss}, {@code accuracy}, {@code lr}, {@code images_per_second}); epoch metrics at the epoch's last step,
 *   all but the {@code val_} ones prefixed {@code epoch_} so they do not collide with that step's
 *   ({@code epoch_loss}, {@code val_accuracy}); the final results at the last step ({@code test_accuracy},
 *   {@code best_val_accuracy}; others prefixed {@code result_}). Epochs are 1-based.</li>
 *   <li>Checkpoints: each one the run commits is sent as a zip of {@code checkpoints/} (the latest {@code step-N/},
 *   {@code LATEST}, tagged weights such as {@code best/}) with {@code metrics.jsonl}, {@code run.json} and
 *   {@code run.log} as they were then. A new attempt with {@code resumeFrom} unpacks it into its directory, writes the
 *   spec and resumes, so it continues exactly where the checkpoint was taken, on any worker.</li>
 *   <li>Stop (cancel, lost lease): the Runner's stop request; the trainer checkpoints and returns.</li>
 *   <li>At the end the run directory's files (summary.json, model.safetensors, metrics.jsonl, plots, ...) are
 *   uploaded.</li>
 * </ul>
 */
public final class RunnerExecutor implements RunExecutor {

    /** What a checkpoint zip may hold; anything else is refused (the zip travels through the server). */
    private static final Pattern ENTRY = Pattern.compile("(metrics\\.jsonl|run\\.json|run\\.log|summary\\.json|checkpoints/LATEST"
            + "|checkpoints/[a-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}\\.safetensors)");
    private static final int MAX_ENTRIES = 1000;
    static final String UPLOADS = "uploads";
    static final String RESUME_PREFIX = "resume-";

    private final PluginRegistry registry;
    private final Path dataDir;
    private final int threads;
    private final String backend;

    /**
     * @param registry this process's plugin registry (shared by every run)
     * @param dataDir  searched first for datasets (null: {@code $KILN_DATA}, {@code ~/.kiln/data}, /usr/share/datasets)
     * @param threads  compute threads per run
     * @param backend  backend name (null: the spec's, else the best available)
     */
    public RunnerExecutor(PluginRegistry registry, Path dataDir, int threads, String backend) {
        this.registry = registry;
        this.dataDir = dataDir;
        this.threads = Math.max(1, threads);
        this.backend = backend;
    }

    private static SpecDocument document(ExperimentSpec spec) {
        return new SpecDocument(spec, "spec", Map.of());
    }

    /** Runs only specs whose trainer, model, dataset, loss, optimizer and schedule are registered here. */
    @Override
    public String unsupported(ExperimentSpec spec) {
        try {
            new Runner(RunOptions.defaults(), registry).check(document(spec));
            return null;
        } catch (SpecException e) {
            return "cannot run this spec here: " + e.getMessage().replace('\n', ';');
        }
    }

    @Override
    public Result execute(Task task, Events events) throws Exception {
        // the run directory is named after the run, so the run's summary and run.json carry its name on every attempt
        Path dir = task.runDir().resolve(task.run().substring(task.run().lastIndexOf('/') + 1));
        Files.createDirectories(dir);
        Listener listener = new Listener(dir, Runner.logEvery(task.spec()), events, task.resumeStep());
        Runner runner = new Runner(new RunOptions(dataDir, dir.getParent(), threads, backend, 0, listener), registry);
        listener.stop = () -> {
            if (task.stop().getAsBoolean()) {
                stopNow(runner);
            }
        };
        // while the run prepares, evaluates or checkpoints, steps do not come: a watcher passes the stop on then too
        Thread stopper = new Thread(() -> {
            try {
                while (!task.stop().getAsBoolean()) {
                    Thread.sleep(50);
                }
                stopNow(runner);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kiln-stop-" + dir.getFileName());
        stopper.setDaemon(true);
        stopper.start();
        Runner.Outcome outcome;
        try {
            if (task.resumeFrom() != null) {
                unpack(task.resumeFrom(), dir);
                listener.previousWall = wallSeconds(dir); // the Runner adds this attempt's time to it
                Files.writeString(dir.resolve("spec.json"), JsonFormat.printer().print(task.spec()), StandardCharsets.UTF_8);
                outcome = runner.resume(dir);
            } else {
                outcome = runner.startIn(dir, document(task.spec()), List.of());
            }
        } finally {
            stopper.interrupt();
        }
        Map<String, Object> summary = outcome.summary();
        if (summary.get("results") instanceof Map<?, ?> results) {
            results.forEach((k, v) -> {
                if (v instanceof Number n) {
                    String key = String.valueOf(k);
                    events.metric(listener.lastStep, listener.lastEpoch,
                            key.startsWith("test_") || key.startsWith("best_") ? key : "result_" + key, n.doubleValue());
                }
            });
        }
        uploadFiles(dir, events);
        return switch (outcome.status()) {
            case "completed" -> Result.succeeded();
            case "failed" -> new Result(Outcome.FAILED, String.valueOf(summary.get("error")));
            default -> task.stop().getAsBoolean()
                    ? new Result(Outcome.CANCELLED, "stopped after step " + listener.lastStep + " (checkpointed)")
                    : new Result(Outcome.FAILED, "the run stopped after step " + listener.lastStep + " without finishing: " + summary);
        };
    }

    private static void stopNow(Runner runner) {
        try {
            runner.requestStop(0); // sets the flag; the trainer checkpoints and returns at its next step
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run directory's own files (not checkpoints, uploads or the resume zip). */
    private static void uploadFiles(Path dir, Events events) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(RESUME_PREFIX)).sorted().forEach(files::add);
        }
        files.forEach(events::file);
    }

    /** {@code wall_seconds} of the run directory's summary.json (0 when none). */
    static double wallSeconds(Path runDir) {
        try {
            Matcher m = WALL.matcher(Files.readString(runDir.resolve("summary.json")));
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static final Pattern WALL = Pattern.compile("\"wall_seconds\"\\s*:\\s*([0-9.eE+-]+)");

    /** Hears the run and forwards to the worker's sink. */
    private static final class Listener implements RunListener {
        private final Path dir;
        private final int logEvery;
        private final Events events;
        private final long started = System.nanoTime();
        volatile double previousWall;
        volatile long lastStep;
        volatile int lastEpoch = 1;
        volatile Runnable stop = () -> { };

        Listener(Path dir, int logEvery, Events events, long resumeStep) {
            this.dir = dir;
            this.logEvery = logEvery;
            this.events = events;
            this.lastStep = resumeStep;
        }

        @Override
        public void step(int epoch, int epochs, int batch, int batches, long step, Map<String, Double> metrics, double imagesPerSecond) {
            lastStep = step;
            lastEpoch = epoch + 1;
            stop.run(); // a cancel takes effect at the next step
            if (step % logEvery == 0 || batch == batches - 1) { // the steps metrics.jsonl records
                metrics.forEach((k, v) -> events.metric(step, epoch + 1, k, v));
                events.metric(step, epoch + 1, "images_per_second", Math.round(imagesPerSecond * 1000) / 1000.0);
            }
        }

        @Override
        public void epoch(int epoch, int epochs, Map<String, Double> metrics) {
            long step = metrics.containsKey("step") ? metrics.get("step").longValue() : lastStep;
            lastEpoch = epoch + 1;
            metrics.forEach((k, v) -> {
                if (!k.equals("step")) {
                    events.metric(step, epoch + 1, k.startsWith("val_") ? k : "epoch_" + k, v);
                }
            });
        }

        @Override
        public void log(String line) {
            events.log(line);
        }

        @Override
        public void image(String name, long step, Path png) {
            try {
                events.image(name, step, Files.readAllBytes(png));
            } catch (IOException e) {
                events.log("cannot send image " + png.getFileName() + ": " + e.getMessage());
            }
        }

        @Override
        public void checkpoint(Path folder, long step) {
            try {
                Path zip = zip(dir, folder.getParent(), step, previousWall + (System.nanoTime() - started) / 1e9);
                events.checkpoint(step, zip);
            } catch (IOException e) {
                throw new UncheckedIOException("packing checkpoint " + folder + " for upload failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * {@code RUN/uploads/checkpoint-STEP.zip}: the checkpoints folder plus the run files a resume needs, and a
     * {@code summary.json} holding the run's wall time so far, so that the attempt resuming from it counts on from
     * there ({@code wall_seconds} of the finished run: all attempts' training up to the checkpoints they handed on).
     */
    static Path zip(Path runDir, Path checkpoints, long step, double wallSeconds) throws IOException {
        Path out = Files.createDirectories(runDir.resolve(UPLOADS)).resolve(String.format("checkpoint-%08d.zip", step));
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(tmp))) {
            z.putNextEntry(new ZipEntry("summary.json"));
            z.write(String.format(java.util.Locale.ROOT, "{\"status\": \"checkpointed\", \"step\": %d, \"wall_seconds\": %.3f}%n", step, wallSeconds)
                    .getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            for (String f : List.of("metrics.jsonl", "run.json", "run.log")) {
                if (Files.isRegularFile(runDir.resolve(f))) {
                    add(z, f, runDir.resolve(f));
                }
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(checkpoints)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path p : files) {
                String name = "checkpoints/" + checkpoints.relativize(p).toString().replace('\\', '/');
                if (ENTRY.matcher(name).matches()) { // skips LATEST.tmp and anything unexpected
                    add(z, name, p);
                }
            }
        }
        return Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void add(ZipOutputStream z, String name, Path file) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        Files.copy(file, z);
        z.closeEntry();
    }

    /** Unpacks a checkpoint zip made by {@link #zip} into a run directory; refuses entries outside the expected layout. */
    static void unpack(Path zip, Path runDir) throws IOException {
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                if (!ENTRY.matcher(e.getName()).matches() || ++entries > MAX_ENTRIES) {
                    throw new IOException(zip.getFileName() + " is not a Kiln checkpoint: unexpected entry '" + e.getName() + "'");
                }
                Path target = runDir.resolve(e.getName()).normalize();
                if (!target.startsWith(runDir.normalize())) {
                    throw new IOException(zip.getFileName() + ": entry '" + e.getName() + "' points outside the run directory");
                }
                Files.createDirectories(target.getParent());
                try (OutputStream out = Files.newOutputStream(target)) {
                    copy(in, out);
                }
            }
        }
        if (!Files.isRegularFile(runDir.resolve("checkpoints/LATEST"))) {
            throw new IOException(zip.getFileName() + " is not a Kiln checkpoint: no checkpoints/LATEST");
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
    }
}
