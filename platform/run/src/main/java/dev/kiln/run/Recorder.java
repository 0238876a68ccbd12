package dev.kiln.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.train.Reporter;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host's {@link Reporter}: writes {@code metrics.jsonl} (a {@code "step"} line every logging interval, an
 * {@code "epoch"} line per epoch, a {@code "result"} line at the end), matrices as JSON and PNG, image grids as
 * PNG, {@code run.log}, and feeds the front end's {@link RunListener}. It also measures training throughput from
 * the time between consecutive steps.
 */
final class Recorder implements Reporter, AutoCloseable {

    static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();
    private static final Gson LINE = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final Path dir;
    private final int logEvery;
    private final int epochs;
    private final RunListener listener;
    private final BufferedWriter metrics;
    private final BufferedWriter log;
    private long lines;
    private final List<Map<String, Double>> epochHistory = new ArrayList<>();
    private final List<double[]> stepLoss = new ArrayList<>();
    private final Map<String, Double> results = new LinkedHashMap<>();
    private long lastStepNanos;
    private int lastEpoch = -1;
    private double trainSeconds;
    private long trainExamples;
    private long trainSteps;
    private long sessionSteps;
    private final long startNanos = System.nanoTime();
    private double recentRate;

    /**
     * @param keepLines lines of an existing {@code metrics.jsonl} to keep (a resumed run drops what came after its
     *                  checkpoint); -1 starts a new file
     */
    Recorder(Path dir, int logEvery, int epochs, RunListener listener, long keepLines) throws IOException {
        this.dir = dir;
        this.logEvery = logEvery;
        this.epochs = epochs;
        this.listener = listener;
        Path file = dir.resolve("metrics.jsonl");
        if (keepLines >= 0 && Files.exists(file)) {
            List<String> kept = Files.readAllLines(file, StandardCharsets.UTF_8).subList(0, (int) keepLines);
            Files.write(file, kept, StandardCharsets.UTF_8);
            for (String l : kept) {
                replay(LINE.fromJson(l, new TypeToken<Map<String, Object>>() { }.getType()));
            }
            lines = kept.size();
        } else {
            Files.deleteIfExists(file);
        }
        metrics = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        log = Files.newBufferedWriter(dir.resolve("run.log"), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void replay(Map<String, Object> line) {
        Map<String, Double> numbers = new LinkedHashMap<>();
        line.forEach((k, v) -> {
            if (v instanceof Number n) {
                numbers.put(k, n.doubleValue());
            }
        });
        switch (String.valueOf(line.get("kind"))) {
            case "epoch" -> epochHistory.add(numbers);
            case "step" -> stepLoss.add(new double[] {numbers.getOrDefault("step", 0.0), numbers.getOrDefault("loss", Double.NaN)});
            default -> { }
        }
    }

    /** Lines written so far (stored in checkpoints). */
    long lines() {
        return lines;
    }

    long sessionSteps() {
        return sessionSteps;
    }

    double trainSeconds() {
        return trainSeconds;
    }

    long trainExamples() {
        return trainExamples;
    }

    long trainSteps() {
        return trainSteps;
    }

    /** Carries throughput accumulators over from the checkpoint of a resumed run. */
    void restoreThroughput(double seconds, long examples, long steps) {
        trainSeconds = seconds;
        trainExamples = examples;
        trainSteps = steps;
    }

    double imagesPerSecond() {
        return trainSeconds > 0 ? trainExamples / trainSeconds : 0;
    }

    /** Trainer steps ({@link #step} calls: optimizer steps, or a GAN's k+1-update iterations) per second of training. */
    double stepsPerSecond() {
        return trainSeconds > 0 ? trainSteps / trainSeconds : 0;
    }

    List<Map<String, Double>> epochHistory() {
        return epochHistory;
    }

    Map<String, Double> results() {
        return results;
    }

    @Override
    public synchronized void step(long step, int epoch, int batch, int batches, int examples, Map<String, Double> m) {
        long now = System.nanoTime();
        if (lastStepNanos != 0 && epoch == lastEpoch) {
            double dt = (now - lastStepNanos) / 1e9;
            trainSeconds += dt;
            trainExamples += examples;
            trainSteps++;
            recentRate = recentRate == 0 ? examples / dt : 0.9 * recentRate + 0.1 * examples / dt;
        }
        lastStepNanos = now;
        lastEpoch = epoch;
        sessionSteps++;
        if (step % logEvery == 0 || batch == batches - 1) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("kind", "step");
            line.put("step", step);
            line.put("epoch", epoch);
            line.put("batch", batch);
            line.putAll(m);
            line.put("images_per_second", round(recentRate));
            line.put("time_s", round((now - startNanos) / 1e9));
            write(line);
            stepLoss.add(new double[] {step, m.getOrDefault("loss", Double.NaN)});
        }
        listener.step(epoch, epochs, batch, batches, step, m, recentRate);
    }

    /** Tells the front end about a checkpoint just committed (outside the throughput clock, like the write itself). */
    void checkpointWritten(Path checkpointDir, long step) {
        listener.checkpoint(checkpointDir, step);
        pause();
    }

    /** Marks a pause in training (evaluation, checkpointing) so it does not count against throughput. */
    synchronized void pause() {
        lastStepNanos = 0;
    }

    @Override
    public synchronized void epoch(int epoch, Map<String, Double> m) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", "epoch");
        line.put("epoch", epoch);
        line.putAll(m);
        write(line);
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("epoch", (double) epoch);
        h.putAll(m);
        epochHistory.add(h);
        lastStepNanos = 0;
        listener.epoch(epoch, epochs, m);
    }

    @Override
    public synchronized void result(Map<String, Double> m) {
        results.putAll(m);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", "result");
        line.putAll(m);
        write(line);
    }

    @Override
    public synchronized void matrix(String name, List<String> labels, long[][] counts) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("labels", labels);
        json.put("rows", "true class");
        json.put("columns", "predicted class");
        json.put("counts", counts);
        try {
            Files.writeString(dir.resolve(name + ".json"), GSON.toJson(json), StandardCharsets.UTF_8);
            Plots.matrix(dir.resolve(name + ".png"), name, labels, counts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void images(String name, long step, Tensor images) {
        try {
            Files.createDirectories(dir.resolve("images"));
            Path png = dir.resolve("images").resolve(String.format("%s-%08d.png", name, step));
            Plots.grid(png, images.shape(), images.toFloatArray());
            listener.image(name, step, png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void log(String line) {
        try {
            log.write(line);
            log.newLine();
            log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listener.log(line);
    }

    private void write(Map<String, Object> line) {
        try {
            metrics.write(LINE.toJson(line));
            metrics.newLine();
            metrics.flush();
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Loss and accuracy curves as PNG. */
    void plots() throws IOException {
        Map<String, List<double[]>> loss = new TreeMap<>();
        Map<String, List<double[]>> acc = new TreeMap<>();
        for (Map<String, Double> e : epochHistory) {
            double x = e.get("epoch") + 1;
            e.forEach((k, v) -> {
                if (k.endsWith("loss")) {
                    loss.computeIfAbsent(k, z -> new ArrayList<>()).add(new double[] {x, v});
                } else if (k.endsWith("accuracy") && !k.contains("top5")) {
                    acc.computeIfAbsent(k, z -> new ArrayList<>()).add(new double[] {x, v});
                }
            });
        }
        Plots.lines(dir.resolve("loss.png"), "loss per epoch", "epoch", loss);
        Plots.lines(dir.resolve("accuracy.png"), "accuracy per epoch", "epoch", acc);
        if (!stepLoss.isEmpty()) {
            Plots.lines(dir.resolve("loss-steps.png"), "training loss per step", "step", Map.of("loss", stepLoss));
        }
    }

    @Override
    public void close() throws IOException {
        metrics.close();
        log.close();
    }
}
