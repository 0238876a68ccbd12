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
 * @param profile        time every backend call and write {@code profile.json} to the run directory ({@code --profile})
 */
public record RunOptions(Path dataDir, Path outDir, int threads, String backend, long stopAfterSteps, RunListener listener,
                         boolean profile) {

    public RunOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        outDir = outDir == null ? Path.of("runs") : outDir;
        listener = listener == null ? RunListener.NONE : listener;
    }

    /** Options without profiling. */
    public RunOptions(Path dataDir, Path outDir, int threads, String backend, long stopAfterSteps, RunListener listener) {
        this(dataDir, outDir, threads, backend, stopAfterSteps, listener, false);
    }

    public static RunOptions defaults() {
        return new RunOptions(null, null, Runtime.getRuntime().availableProcessors(), null, 0, null);
    }

    public RunOptions withStopAfterSteps(long steps) {
        return new RunOptions(dataDir, outDir, threads, backend, steps, listener, profile);
    }

    public RunOptions withListener(RunListener l) {
        return new RunOptions(dataDir, outDir, threads, backend, stopAfterSteps, l, profile);
    }

    public RunOptions withProfile(boolean on) {
        return new RunOptions(dataDir, outDir, threads, backend, stopAfterSteps, listener, on);
    }
}
