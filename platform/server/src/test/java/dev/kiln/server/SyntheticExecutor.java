package dev.kiln.server;

import com.google.protobuf.Value;
import dev.kiln.proto.v1.ExperimentSpec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small real executor for the trainer id {@code synthetic}: SGD on a seeded linear-regression problem in plain
 * Java, with exact checkpoint/resume (the weights and the step; each step's batch is drawn from a generator seeded by
 * (seed, step), so a resumed run reproduces the undisturbed series bit for bit). It lets the server, the queue,
 * leases and crash recovery be tested fast, with real processes, without the engine (test code only: {@code kiln serve} and
 * {@code kiln worker} run experiments with the CLI's {@code RunnerExecutor} over {@code platform/run}).
 *
 * <p>Trainer params: {@code steps_per_epoch} (20), {@code step_ms} (0, sleep per step), {@code checkpoint_every} (10),
 * {@code fail_at_step} (0: never). Metrics per step: {@code train_loss}, {@code w_norm}; per epoch: {@code val_loss}.
 */
public final class SyntheticExecutor implements RunExecutor {

    public static final String TRAINER = "synthetic";
    private static final int DIM = 4;
    private static final int MAGIC = 0x4b494c4e;

    @Override
    public String unsupported(ExperimentSpec spec) {
        return spec.getTrainer().getName().equals(TRAINER) ? null
                : "this test worker runs only the '" + TRAINER + "' trainer; got '" + spec.getTrainer().getName() + "'";
    }

    static long param(ExperimentSpec spec, String key, long fallback) {
        Value v = spec.getTrainer().getParams().getFieldsMap().get(key);
        return v == null || !v.hasNumberValue() ? fallback : (long) v.getNumberValue();
    }

    /** Total steps of a spec. */
    public static long steps(ExperimentSpec spec) {
        return Math.max(1, spec.getTrainer().getEpochs()) * param(spec, "steps_per_epoch", 20);
    }

    @Override
    public Result execute(Task task, Events events) throws Exception {
        String why = unsupported(task.spec());
        if (why != null) {
            return new Result(Outcome.FAILED, why);
        }
        ExperimentSpec spec = task.spec();
        int epochs = Math.max(1, spec.getTrainer().getEpochs());
        long perEpoch = param(spec, "steps_per_epoch", 20);
        long stepMs = param(spec, "step_ms", 0);
        long every = Math.max(1, param(spec, "checkpoint_every", 10));
        long failAt = param(spec, "fail_at_step", 0);
        double lr = 0.05;
        double[] truth = new double[DIM];
        SplittableRandom t = new SplittableRandom(spec.getSeed());
        for (int i = 0; i < DIM; i++) {
            truth[i] = t.nextDouble(-1, 1);
        }
        double[] w = new double[DIM];
        long step = 0;
        if (task.resumeFrom() != null) {
            try (DataInputStream in = new DataInputStream(Files.newInputStream(task.resumeFrom()))) {
                if (in.readInt() != MAGIC) {
                    return new Result(Outcome.FAILED, task.resumeFrom() + " is not a synthetic checkpoint");
                }
                step = in.readLong();
                for (int i = 0; i < DIM; i++) {
                    w[i] = in.readDouble();
                }
            }
            events.log("resuming after step " + step);
        } else {
            events.log("starting " + task.run() + " (" + epochs * perEpoch + " steps)");
        }
        long total = epochs * perEpoch;
        while (step < total) {
            if (task.stop().getAsBoolean()) {
                return new Result(Outcome.CANCELLED, "stopped at step " + step);
            }
            step++;
            if (step == failAt) {
                throw new IllegalStateException("fail_at_step " + failAt + " reached");
            }
            SplittableRandom r = new SplittableRandom(spec.getSeed() * 1_000_003L + step);
            double[] grad = new double[DIM];
            double loss = 0;
            for (int b = 0; b < 8; b++) {
                double[] x = new double[DIM];
                double y = 0;
                double p = 0;
                for (int i = 0; i < DIM; i++) {
                    x[i] = r.nextDouble(-1, 1);
                    y += truth[i] * x[i];
                    p += w[i] * x[i];
                }
                y += 0.01 * r.nextDouble(-1, 1);
                double err = p - y;
                loss += err * err / 8;
                for (int i = 0; i < DIM; i++) {
                    grad[i] += 2 * err * x[i] / 8;
                }
            }
            double norm = 0;
            for (int i = 0; i < DIM; i++) {
                w[i] -= lr * grad[i];
                norm += w[i] * w[i];
            }
            int epoch = (int) ((step - 1) / perEpoch) + 1;
            events.metric(step, epoch, "train_loss", loss);
            events.metric(step, epoch, "w_norm", Math.sqrt(norm));
            if (step % perEpoch == 0) {
                double val = 0;
                for (int i = 0; i < DIM; i++) {
                    val += (w[i] - truth[i]) * (w[i] - truth[i]);
                }
                events.metric(step, epoch, "val_loss", val);
            }
            if (step % every == 0 && step < total) {
                Path ck = task.runDir().resolve("checkpoint-step-" + step + ".bin");
                try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(ck))) {
                    out.writeInt(MAGIC);
                    out.writeLong(step);
                    for (int i = 0; i < DIM; i++) {
                        out.writeDouble(w[i]);
                    }
                }
                events.checkpoint(step, ck);
            }
            if (stepMs > 0) {
                Thread.sleep(stepMs);
            }
        }
        Path summary = task.runDir().resolve("summary.json");
        Files.writeString(summary, "{\"status\": \"completed\", \"steps\": " + total + "}\n");
        events.file(summary);
        return Result.succeeded();
    }
}
