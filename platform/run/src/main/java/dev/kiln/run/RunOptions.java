package dev.kiln.run;

import java.nio.file.Path;

/**
 * How to run an experiment on this machine.
 *
 * @param dataDir        {@code --data DIR}, searched first for datasets (null: the standard places)
 * @param outDir         where run directories are created ({@code runs/} by default)
 * @param threads        compute threads
 * @param backend        backend name; null: the spec's, else the highest-ranked usable one
 * @param stopAfterSteps ask the trainer to stop (checkpoint and return) after this many steps in this session; 0: never
 * @param listener       progress for a front end
 */
public record RunOptions(Path dataDir, Path outDir, int threads, String backend, long stopAfterSteps, RunListener listener) {

    public RunOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        outDir = outDir == null ? Path.of("runs") : outDir;
        listener = listener == null ? RunListener.NONE : listener;
    }

    public static RunOptions defaults() {
        return new RunOptions(null, null, Runtime.getRuntime().availableProcessors(), null, 0, null);
    }

    public RunOptions withStopAfterSteps(long steps) {
        return new RunOptions(dataDir, outDir, threads, backend, steps, listener);
    }

    public RunOptions withListener(RunListener l) {
        return new RunOptions(dataDir, outDir, threads, backend, stopAfterSteps, l);
    }
}
