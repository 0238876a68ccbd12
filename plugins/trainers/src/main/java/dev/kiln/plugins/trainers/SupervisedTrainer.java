package dev.kiln.plugins.trainers;

import dev.kiln.api.data.DatasetInfo;
import dev.kiln.api.data.Split;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.Schedule;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.train.Checkpoint;
import dev.kiln.api.train.MiniBatch;
import dev.kiln.api.train.MiniBatches;
import dev.kiln.api.train.Reporter;
import dev.kiln.api.train.Trainer;
import dev.kiln.api.train.TrainingRun;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The supervised loop, one memory scope per step:
 * <pre>
 * for epoch from the resume point:
 *     for batch (x, y) of the shuffled, augmented training split:
 *         lr ← schedule(base lr, step, epoch);  ŷ = model(x);  ℓ = loss(ŷ, y)   (stop naming step and layer if ℓ is not finite)
 *         ℓ.backward();  optimizer.step()                                    (clipping inside the optimizer)
 *     validate; schedule.observe(metric); early stopping; checkpoint
 * restore the best weights (early stopping); test: loss, accuracy, top-k, per-class accuracy, confusion matrix
 * </pre>
 * Metrics per step: {@code loss} and {@code accuracy} (running over the epoch so far), {@code lr}; per epoch also
 * {@code val_loss}, {@code val_accuracy} and {@code val_top5_accuracy} when the dataset has a validation split.
 * Running sums, the base rate and early-stopping counters go into checkpoints, so a resumed run reports the same
 * numbers bit for bit.
 */
final class SupervisedTrainer implements Trainer {

    private final SupervisedTrainerFactory.SupervisedSpec spec;

    SupervisedTrainer(SupervisedTrainerFactory.SupervisedSpec spec) {
        this.spec = spec;
    }

    @Override
    public void train(TrainingRun run) {
        Layer net = run.model();
        Loss loss = run.loss();
        Optimizer optimizer = run.optimizer(net.parameters());
        Optional<Schedule> schedule = run.schedule();
        Reporter reporter = run.reporter();
        DatasetInfo info = run.dataset().info();
        int classes = info.classes();
        if (classes < 2) {
            throw new IllegalStateException("the supervised trainer needs a labelled dataset with at least 2 classes; "
                    + info.name() + " has " + classes);
        }
        boolean validation = run.dataset().size(Split.VALIDATION) > 0;
        String scheduleMonitor = !spec.scheduleMonitor().isEmpty() ? spec.scheduleMonitor() : validation ? "val_loss" : "loss";
        EarlyStopping stopping = spec.earlyStopping() == null ? null : new EarlyStopping(spec.earlyStopping());
        if (stopping != null && stopping.spec().monitor().startsWith("val_") && !validation) {
            throw new IllegalStateException("early_stopping monitors " + stopping.spec().monitor() + " but the dataset has no"
                    + " validation split; set dataset.params.validation_fraction (e.g. 0.1) or monitor \"loss\"");
        }

        Checkpoint start = run.resumePoint().orElse(new Checkpoint(0, 0, 0, Map.of()));
        Map<String, Double> state = new LinkedHashMap<>(start.state());
        double baseLr = state.containsKey("base_lr") ? state.get("base_lr") : optimizer.learningRate(0);
        state.put("base_lr", baseLr);
        double bestVal = state.getOrDefault("best_val_accuracy", Double.NaN);
        if (stopping != null) {
            stopping.importState(state);
        }
        boolean stoppedEarly = state.getOrDefault("stopped_early", 0.0) != 0;
        long step = start.step();
        if (run.resumePoint().isPresent()) {
            reporter.log("resumed at epoch " + (start.epoch() + 1) + ", batch " + start.batch() + ", step " + step);
        }

        for (int epoch = start.epoch(); epoch < run.epochs() && !stoppedEarly; epoch++) {
            int first = epoch == start.epoch() ? start.batch() : 0;
            ClassificationMetrics train = new ClassificationMetrics(classes, spec.topK(), false);
            if (first > 0) {
                train.restore(state.get("epoch.loss_sum"), state.get("epoch.seen").longValue(), state.get("epoch.correct").longValue());
            }
            try (MiniBatches batches = run.batches(Split.TRAIN, epoch, first)) {
                while (batches.hasNext()) {
                    if (run.stopRequested()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, withEpoch(state, train)));
                        reporter.log("stop requested: checkpointed at epoch " + (epoch + 1) + ", batch " + batches.cursor()
                                + ", step " + step + "; continue with kiln run --resume");
                        return;
                    }
                    double lr = optimizer.learningRate(0);
                    try (MemoryScope scope = run.tensors().scope()) {
                        MiniBatch batch = batches.next();
                        if (schedule.isPresent()) {
                            lr = schedule.get().learningRate(baseLr, step, epoch);
                            optimizer.setLearningRate(0, lr);
                        }
                        optimizer.zeroGrad();
                        Tensor logits = net.forward(batch.features(), run.forward(true));
                        Tensor l = loss.compute(logits, batch.targets());
                        double value = l.item();
                        if (!Double.isFinite(value)) {
                            String where = run.locateNonFinite("model", batch.features())
                                    .orElse("the loss (" + value + ") from finite model outputs");
                            throw new IllegalStateException("non-finite loss " + value + " at step " + (step + 1) + " (epoch "
                                    + (epoch + 1) + ", batch " + batch.index() + "); first non-finite values: " + where
                                    + ". Lower the learning rate or set clip_norm in optimizer.params");
                        }
                        l.backward();
                        optimizer.step();
                        step++;
                        try (GradMode off = run.tensors().noGrad()) {
                            train.add(logits.toFloatArray(), batch.targets().toLongArray(), value);
                        }
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("loss", value);
                        m.put("accuracy", train.accuracy());
                        m.put("lr", lr);
                        reporter.step(step, epoch, batch.index(), batches.count(), batch.size(), m);
                    }
                    if (spec.checkpointEverySteps() > 0 && step % spec.checkpointEverySteps() == 0 && batches.hasNext()) {
                        run.checkpoint(new Checkpoint(epoch, batches.cursor(), step, withEpoch(state, train)));
                    }
                }
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss", train.loss());
            m.put("accuracy", train.accuracy());
            m.put("lr", optimizer.learningRate(0));
            m.put("step", (double) step);
            if (validation) {
                ClassificationMetrics val = evaluate(run, net, loss, Split.VALIDATION, classes, false);
                m.put("val_loss", val.loss());
                m.put("val_accuracy", val.accuracy());
                if (classes > spec.topK()) {
                    m.put("val_top" + spec.topK() + "_accuracy", val.topKAccuracy());
                }
                bestVal = Double.isNaN(bestVal) ? val.accuracy() : Math.max(bestVal, val.accuracy());
                state.put("best_val_accuracy", bestVal);
            }
            if (schedule.isPresent()) {
                schedule.get().observe(monitored(m, scheduleMonitor));
            }
            if (stopping != null) {
                if (stopping.observe(epoch, monitored(m, stopping.spec().monitor())) && stopping.spec().restoreBest()) {
                    run.saveWeights("best");
                }
                stopping.exportState(state);
                if (stopping.shouldStop()) {
                    stoppedEarly = true;
                    state.put("stopped_early", 1.0);
                    reporter.log("early stopping after epoch " + (epoch + 1) + ": " + stopping.spec().monitor()
                            + " has not improved for " + stopping.spec().patience() + " epochs (best " + stopping.bestValue()
                            + " at epoch " + (stopping.bestEpoch() + 1) + ")");
                }
            }
            reporter.epoch(epoch, m);
            run.checkpoint(new Checkpoint(epoch + 1, 0, step, state));
            if (run.stopRequested() && epoch + 1 < run.epochs() && !stoppedEarly) {
                reporter.log("stop requested: checkpointed after epoch " + (epoch + 1) + "; continue with kiln run --resume");
                return;
            }
        }
        if (stopping != null && stopping.spec().restoreBest() && stopping.bestEpoch() >= 0) {
            run.restoreWeights("best");
            reporter.log("restored the weights of epoch " + (stopping.bestEpoch() + 1) + " (" + stopping.spec().monitor()
                    + " " + stopping.bestValue() + ")");
        }
        Map<String, Double> results = test(run, net, loss, classes);
        if (validation) {
            results.put("best_val_accuracy", bestVal);
        }
        if (stopping != null) {
            results.put("best_epoch", (double) stopping.bestEpoch());
        }
        results.put("steps", (double) step);
        reporter.result(results);
    }

    @Override
    public void evaluate(TrainingRun run) {
        Layer net = run.model();
        run.reporter().result(test(run, net, run.loss(), run.dataset().info().classes()));
    }

    private Map<String, Double> test(TrainingRun run, Layer net, Loss loss, int classes) {
        DatasetInfo info = run.dataset().info();
        ClassificationMetrics test = evaluate(run, net, loss, Split.TEST, classes, true);
        Map<String, Double> results = new LinkedHashMap<>();
        results.put("test_loss", test.loss());
        results.put("test_accuracy", test.accuracy());
        if (classes > spec.topK()) {
            results.put("test_top" + spec.topK() + "_accuracy", test.topKAccuracy());
        }
        double[] perClass = test.perClassAccuracy();
        StringBuilder line = new StringBuilder("test accuracy per class:");
        for (int c = 0; c < classes; c++) {
            results.put("test_accuracy_class_" + c, perClass[c]);
            line.append(String.format(" %s %.4f;", info.classNames().get(c), perClass[c]));
        }
        run.reporter().log(String.format("test: loss %.4f, accuracy %.4f on %d examples", test.loss(), test.accuracy(), test.seen()));
        run.reporter().log(line.toString());
        run.reporter().matrix("confusion", info.classNames(), test.confusion());
        return results;
    }

    /** Loss and accuracy over a whole split in evaluation mode, without recording a graph. */
    private ClassificationMetrics evaluate(TrainingRun run, Layer net, Loss loss, Split split, int classes, boolean confusion) {
        ClassificationMetrics metrics = new ClassificationMetrics(classes, spec.topK(), confusion);
        try (MiniBatches batches = run.batches(split, 0, 0)) {
            while (batches.hasNext()) {
                try (MemoryScope scope = run.tensors().scope(); GradMode off = run.tensors().noGrad()) {
                    MiniBatch batch = batches.next();
                    Tensor logits = net.forward(batch.features(), run.forward(false));
                    double value = loss.compute(logits, batch.targets()).item();
                    metrics.add(logits.toFloatArray(), batch.targets().toLongArray(), value);
                }
            }
        }
        return metrics;
    }

    private static Map<String, Double> withEpoch(Map<String, Double> state, ClassificationMetrics train) {
        Map<String, Double> out = new LinkedHashMap<>(state);
        out.put("epoch.loss_sum", train.lossSum());
        out.put("epoch.seen", (double) train.seen());
        out.put("epoch.correct", (double) train.correct());
        return out;
    }

    private static double monitored(Map<String, Double> epochMetrics, String name) {
        Double v = epochMetrics.get(name);
        if (v == null) {
            throw new IllegalStateException("the monitored metric \"" + name + "\" is not an epoch metric; epoch metrics are "
                    + epochMetrics.keySet());
        }
        return v;
    }
}
