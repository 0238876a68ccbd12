package dev.kiln.run;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.Schedule;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.api.train.Checkpoint;
import dev.kiln.api.train.MiniBatch;
import dev.kiln.api.train.MiniBatches;
import dev.kiln.api.train.Reporter;
import dev.kiln.api.train.TrainingRun;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;
import dev.kiln.model.Model;
import dev.kiln.model.StepContext;
import dev.kiln.model.data.BatchLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link TrainingRun} the host gives a trainer: the spec's pieces built through an {@link Experiment}, batches,
 * the {@link Recorder}, and checkpoints in the run directory. When resuming, the model, generator and schedule are
 * restored at construction and each optimizer when the trainer creates it.
 */
final class HostRun implements TrainingRun {

    /** Layers of a built {@link Model} as the trainer sees them: one {@link Layer} that follows the context's mode. */
    record ModelLayer(Model model) implements Layer {
        @Override
        public Tensor forward(Tensor input, ForwardContext context) {
            if (context.training()) {
                model.train();
            } else {
                model.eval();
            }
            return model.forward(input, context instanceof StepContext s ? s
                    : new StepContext(context.tensors(), context.training(), context.generator()));
        }

        @Override
        public List<Parameter> parameters() {
            return model.parameters();
        }

        @Override
        public Map<String, Tensor> buffers() {
            return model.buffers();
        }
    }

    private final Experiment experiment;
    private final Tensors tensors;
    private final Generator generator;
    private final Dataset dataset;
    private final Map<String, Model> models = new LinkedHashMap<>();
    private final Map<String, Optimizer> optimizers = new LinkedHashMap<>();
    private final Optional<Schedule> schedule;
    private final Recorder recorder;
    private final Path dir;
    private final long stopAfterSteps;
    private final AtomicBoolean stop;
    private final Checkpoint resume;
    private final Path resumeDir;
    private final Map<Split, BatchLoader> loaders = new java.util.EnumMap<>(Split.class);
    private Loss loss;
    private int checkpointsWritten;

    /** @param models the spec's models by name ({@link Experiment#models}), checkpointed as {@code <name>.safetensors} */
    HostRun(Experiment experiment, Tensors tensors, Dataset dataset, Map<String, Model> models, Recorder recorder, Path dir,
            long stopAfterSteps, AtomicBoolean stop, boolean resuming) throws IOException {
        this.experiment = experiment;
        this.tensors = tensors;
        this.dataset = dataset;
        this.models.putAll(models);
        this.recorder = recorder;
        this.dir = dir;
        this.stopAfterSteps = stopAfterSteps;
        this.stop = stop;
        this.generator = tensors.generator(experiment.spec().getSeed() + 1);
        this.schedule = experiment.schedule();
        if (resuming) {
            resumeDir = Checkpoints.latest(dir);
            resume = restore(resumeDir);
        } else {
            resumeDir = null;
            resume = null;
        }
    }

    private Checkpoint restore(Path ckpt) throws IOException {
        for (Map.Entry<String, Model> m : models.entrySet()) {
            loadModel(m.getValue(), Checkpoints.read(ckpt.resolve(m.getKey() + ".safetensors")));
        }
        SafetensorsFile state = Checkpoints.read(ckpt.resolve("state.safetensors"));
        generator.restore(state.tensor("rng.counter").toLongArray()[0]);
        Map<String, Double> scheduleState = new LinkedHashMap<>();
        Map<String, Double> trainerState = new LinkedHashMap<>();
        state.tensors().forEach((k, t) -> {
            if (k.startsWith("schedule.")) {
                scheduleState.put(k.substring("schedule.".length()), t.toDoubleArray()[0]);
            } else if (k.startsWith("trainer.")) {
                trainerState.put(k.substring("trainer.".length()), t.toDoubleArray()[0]);
            }
        });
        schedule.ifPresent(s -> s.importState(scheduleState));
        recorder.restoreThroughput(Double.parseDouble(state.metadata().getOrDefault("train_seconds", "0")),
                Long.parseLong(state.metadata().getOrDefault("train_examples", "0")),
                Long.parseLong(state.metadata().getOrDefault("train_steps", "0")));
        return new Checkpoint((int) state.tensor("cursor.epoch").toLongArray()[0], (int) state.tensor("cursor.batch").toLongArray()[0],
                state.tensor("cursor.step").toLongArray()[0], trainerState);
    }

    private void loadModel(Model model, SafetensorsFile file) {
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            Map<String, Tensor> values = new LinkedHashMap<>();
            file.tensors().forEach((k, t) -> values.put(k, StoredTensors.load(tensors, t)));
            model.loadState(values);
        }
    }

    /** Metrics lines to keep when resuming from the latest checkpoint. */
    static long metricsLines(Path runDir) throws IOException {
        SafetensorsFile state = Checkpoints.read(Checkpoints.latest(runDir).resolve("state.safetensors"));
        return Long.parseLong(state.metadata().getOrDefault("metrics_lines", "0"));
    }

    @Override
    public Tensors tensors() {
        return tensors;
    }

    @Override
    public Generator generator() {
        return generator;
    }

    @Override
    public ForwardContext forward(boolean training) {
        return new StepContext(tensors, training, generator);
    }

    @Override
    public int epochs() {
        return experiment.spec().getTrainer().getEpochs();
    }

    @Override
    public int batchSize() {
        return experiment.spec().getTrainer().getBatchSize();
    }

    @Override
    public Layer model() {
        return model("model");
    }

    @Override
    public Layer model(String name) {
        Model m = models.get(name);
        if (m == null) {
            throw new SpecException(experiment.document().where(name.equals("model") ? "model" : "models") + "the trainer asks for a"
                    + " model named \"" + name + "\" but the spec has " + models.keySet()
                    + (name.equals("model") ? "; add model: {layers: [...]}" : "; add models: {" + name + ": {layers: [...]}}"));
        }
        return new ModelLayer(m);
    }

    @Override
    public Loss loss() {
        if (loss == null) {
            loss = experiment.loss(tensors);
        }
        return loss;
    }

    @Override
    public Optimizer optimizer(List<Parameter> parameters) {
        return optimizer("optimizer", parameters);
    }

    @Override
    public Optimizer optimizer(String name, List<Parameter> parameters) {
        if (optimizers.containsKey(name)) {
            throw new IllegalStateException("optimizer \"" + name + "\" was already created; create each once");
        }
        Optimizer o = experiment.optimizer(name, parameters, tensors);
        if (resumeDir != null) {
            try (MemoryScope scope = tensors.scope()) {
                Map<String, Tensor> state = new LinkedHashMap<>();
                Checkpoints.read(resumeDir.resolve(name + ".safetensors")).tensors()
                        .forEach((k, t) -> state.put(k, StoredTensors.load(tensors, t)));
                o.importState(state);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        optimizers.put(name, o);
        return o;
    }

    @Override
    public Optional<Schedule> schedule() {
        return schedule;
    }

    @Override
    public Dataset dataset() {
        return dataset;
    }

    /**
     * Batches from the host's {@link BatchLoader} (one per split, reusing its buffers): training shuffled by the seed
     * and augmented, other splits in order; batch b of epoch e is the same whenever it is asked for.
     */
    @Override
    public MiniBatches batches(Split split, int epoch, int startBatch) {
        BatchLoader loader = loaders.computeIfAbsent(split, s -> BatchLoader.builder(dataset, s, tensors).batchSize(batchSize())
                .seed(experiment.spec().getSeed()).shuffle(s == Split.TRAIN).augment(s == Split.TRAIN).build());
        BatchLoader.Epoch e = loader.epoch(epoch, startBatch);
        int count = loader.batchesPerEpoch();
        return new MiniBatches() {
            @Override
            public int count() {
                return count;
            }

            @Override
            public int cursor() {
                return e.cursor();
            }

            @Override
            public boolean hasNext() {
                return e.hasNext();
            }

            @Override
            public MiniBatch next() {
                BatchLoader.Batch b = e.next();
                return new MiniBatch(b.features(), b.targets(), b.size(), b.epoch(), b.index());
            }

            @Override
            public void close() {
                e.close();
            }
        };
    }

    /** Stops the loaders' reader threads. */
    void closeLoaders() {
        loaders.values().forEach(BatchLoader::close);
    }

    @Override
    public Reporter reporter() {
        return recorder;
    }

    @Override
    public void checkpoint(Checkpoint c) {
        recorder.pause();
        Map<String, List<StoredTensor>> files = new LinkedHashMap<>();
        Map<String, Map<String, String>> metadata = new LinkedHashMap<>();
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            models.forEach((name, m) -> {
                files.put(name, Checkpoints.store(m.state()));
                metadata.put(name, Map.of("format", Checkpoints.FORMAT, "naming", "kiln model state: <layer id>.<parameter>"));
            });
            optimizers.forEach((name, o) -> files.put(name, Checkpoints.store(o.exportState())));
            List<StoredTensor> state = new ArrayList<>();
            state.add(StoredTensor.of("cursor.epoch", new long[] {c.epoch()}, 1));
            state.add(StoredTensor.of("cursor.batch", new long[] {c.batch()}, 1));
            state.add(StoredTensor.of("cursor.step", new long[] {c.step()}, 1));
            state.add(StoredTensor.of("rng.seed", new long[] {generator.seed()}, 1));
            state.add(StoredTensor.of("rng.counter", new long[] {generator.counter()}, 1));
            schedule.ifPresent(s -> s.exportState().forEach((k, v) -> state.add(StoredTensor.of("schedule." + k, new double[] {v}, 1))));
            c.state().forEach((k, v) -> state.add(StoredTensor.of("trainer." + k, new double[] {v}, 1)));
            files.put("state", state);
            metadata.put("state", Map.of("format", Checkpoints.FORMAT, "metrics_lines", Long.toString(recorder.lines()),
                    "train_seconds", Double.toString(recorder.trainSeconds()), "train_examples", Long.toString(recorder.trainExamples()),
                    "train_steps", Long.toString(recorder.trainSteps())));
            Path written = Checkpoints.commit(dir, c.step(), files, metadata);
            checkpointsWritten++;
            recorder.checkpointWritten(written, c.step());
        } catch (IOException e) {
            throw new UncheckedIOException("writing a checkpoint to " + dir + " failed: " + e.getMessage(), e);
        }
    }

    int checkpointsWritten() {
        return checkpointsWritten;
    }

    @Override
    public Optional<Checkpoint> resumePoint() {
        return Optional.ofNullable(resume);
    }

    @Override
    public void saveWeights(String tag) {
        if (!tag.matches("[a-z0-9_-]+")) {
            throw new IllegalArgumentException("weight tags are lower-case words, got \"" + tag + "\"");
        }
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            Path d = Checkpoints.root(dir).resolve(tag);
            Files.createDirectories(d);
            for (Map.Entry<String, Model> m : models.entrySet()) {
                dev.kiln.engine.io.Safetensors.write(d.resolve(m.getKey() + ".safetensors"), Checkpoints.store(m.getValue().state()),
                        Map.of("format", Checkpoints.FORMAT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void restoreWeights(String tag) {
        try {
            for (Map.Entry<String, Model> m : models.entrySet()) {
                loadModel(m.getValue(), Checkpoints.read(Checkpoints.root(dir).resolve(tag).resolve(m.getKey() + ".safetensors")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no weights saved under \"" + tag + "\": " + e.getMessage(), e);
        }
    }

    /** Writes the final weights of the main model (and any other) next to the summary. */
    void saveFinal() throws IOException {
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            for (Map.Entry<String, Model> m : models.entrySet()) {
                dev.kiln.engine.io.Safetensors.write(dir.resolve(m.getKey() + ".safetensors"), Checkpoints.store(m.getValue().state()),
                        Map.of("format", Checkpoints.FORMAT, "naming", "kiln model state: <layer id>.<parameter>"));
            }
        }
    }

    @Override
    public Optional<String> locateNonFinite(String modelName, Tensor input) {
        Model m = models.get(modelName);
        if (m == null) {
            throw new IllegalArgumentException("no model named \"" + modelName + "\"");
        }
        List<String> plugins = experiment.modelSpec(modelName).getLayersList().stream().map(l -> l.getName()).toList();
        try (MemoryScope scope = tensors.scope(); GradMode off = tensors.noGrad()) {
            for (Map.Entry<String, Tensor> e : m.state().entrySet()) {
                long[] bad = StoredTensors.nonFinite(e.getValue());
                if (bad != null) {
                    String layer = e.getKey().substring(0, e.getKey().indexOf('.') < 0 ? e.getKey().length() : e.getKey().indexOf('.'));
                    int i = m.layerNames().indexOf(layer);
                    return Optional.of("layer \"" + layer + "\"" + (i >= 0 ? " (" + plugins.get(i) + ")" : "") + ": parameter \""
                            + e.getKey() + "\" holds " + bad[0] + " NaN and " + bad[1] + " Inf values");
                }
            }
            long[] bad = StoredTensors.nonFinite(input);
            if (bad != null) {
                return Optional.of("the input batch: " + bad[0] + " NaN and " + bad[1] + " Inf values");
            }
            boolean training = m.isTraining();
            m.eval();
            try {
                StepContext ctx = new StepContext(tensors, false, tensors.generator(0));
                Tensor y = input.to(DType.FLOAT32);
                for (int i = 0; i < m.layers().size(); i++) {
                    y = m.layers().get(i).forward(y, ctx);
                    bad = StoredTensors.nonFinite(y);
                    if (bad != null) {
                        return Optional.of("layer \"" + m.layerNames().get(i) + "\" (" + plugins.get(i) + "): " + bad[0]
                                + " NaN and " + bad[1] + " Inf values in its output, from finite inputs and parameters");
                    }
                }
            } finally {
                if (training) {
                    m.train();
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean stopRequested() {
        return stop.get() || stopAfterSteps > 0 && recorder.sessionSteps() >= stopAfterSteps;
    }
}
