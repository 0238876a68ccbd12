package dev.kiln.server;

import dev.kiln.proto.v1.ExperimentSpec;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The one seam between a worker and the machinery that trains: given a spec, a run directory, an optional
 * checkpoint to resume from and an event sink, run the experiment (blocking) and say how it ended. The worker
 * streams everything the sink hears to the server; implementations never talk to the network.
 */
public interface RunExecutor {

    /**
     * What to run.
     *
     * @param run        {@code runs/{run}}
     * @param attempt    the lease's attempt number
     * @param spec       the experiment as accepted by the server
     * @param runDir     an empty (fresh) or checkpoint-holding (resume) folder owned by this attempt
     * @param resumeFrom the checkpoint file to resume from (as given to {@link Events#checkpoint}), or null to start fresh
     * @param resumeStep the step that checkpoint was taken after (0 when fresh)
     * @param stop       becomes true when the run is cancelled or the lease is lost; stop promptly (a checkpoint is optional)
     */
    record Task(String run, int attempt, ExperimentSpec spec, Path runDir, Path resumeFrom, long resumeStep, BooleanSupplier stop) {
    }

    /** Where a run reports. Calls may block briefly when the server is slow (back-pressure). */
    interface Events {
        void metric(long step, int epoch, String key, double value);

        void log(String line);

        void image(String title, long step, byte[] png);

        /** A self-contained checkpoint file (e.g. a zip of the checkpoint folder) taken after {@code step}. */
        void checkpoint(long step, Path file);

        /** Another file worth keeping with the run (summary.json, plots, final weights). */
        void file(Path file);
    }

    /** How a run ended. */
    enum Outcome { SUCCEEDED, FAILED, CANCELLED }

    record Result(Outcome outcome, String error) {
        public static Result succeeded() {
            return new Result(Outcome.SUCCEEDED, "");
        }
    }

    /** Runs the task to its end (or until {@code task.stop()}); exceptions count as FAILED with their message. */
    Result execute(Task task, Events events) throws Exception;

    /** Can this executor run the spec at all (its trainer is known here)? Null if yes, else why not. */
    default String unsupported(ExperimentSpec spec) {
        return null;
    }
}
