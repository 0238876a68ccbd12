package dev.kiln.cli;

import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import dev.kiln.server.KilnClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Callable;

/** {@code kiln watch RUN}: live progress; reconnects from the last sequence number it saw. */
@Command(name = "watch", mixinStandardHelpOptions = true, description = "Follows a run's events until it ends, reconnecting as needed.")
final class WatchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(paramLabel = "RUN", description = "runs/NAME or NAME.")
    String run;

    @Override
    public Integer call() throws Exception {
        try (KilnClient c = server.connect()) {
            return follow(c, Remote.run(run), 0, spec.commandLine().getOut());
        }
    }

    /** Prints events after {@code after} until the run ends; exit code 0 when it SUCCEEDED. */
    static int follow(KilnClient c, String name, long after, PrintWriter out) throws InterruptedException {
        long cursor = after;
        int failures = 0;
        while (true) {
            try {
                Iterator<RunEvent> it = c.experimentsStreaming(Duration.ofHours(1))
                        .streamRunEvents(StreamRunEventsRequest.newBuilder().setName(name).setAfterSequence(cursor).build());
                while (it.hasNext()) {
                    RunEvent e = it.next();
                    cursor = e.getSequence();
                    failures = 0;
                    print(e, out);
                }
                Run r = c.experiments().getRun(GetRunRequest.newBuilder().setName(name).build());
                out.println(name + " " + r.getState() + (r.getError().isEmpty() ? "" : ": " + r.getError()));
                out.flush();
                return r.getState() == Run.State.SUCCEEDED ? 0 : 1;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED && code != Status.Code.INTERNAL) {
                    throw new IllegalStateException(Remote.describe(e));
                }
                if (++failures > 60) {
                    throw new IllegalStateException("lost the server for too long: " + Remote.describe(e));
                }
                out.println("(reconnecting after sequence " + cursor + ": " + code + ")");
                out.flush();
                Thread.sleep(Math.min(2000, 100L * failures));
            }
        }
    }

    static void print(RunEvent e, PrintWriter out) {
        switch (e.getKindCase()) {
            case STATE_CHANGE -> out.printf("#%d %s attempt %d %s%n", e.getSequence(), e.getStateChange().getState(),
                    e.getStateChange().getAttempt(), e.getStateChange().getReason());
            case METRIC -> out.printf("#%d step %d %s=%.6g%n", e.getSequence(), e.getMetric().getStep(), e.getMetric().getKey(), e.getMetric().getValue());
            case LOG -> out.printf("#%d %s%n", e.getSequence(), e.getLog().getText());
            case IMAGE -> out.printf("#%d image %s (step %d, %d bytes)%n", e.getSequence(), e.getImage().getTitle(), e.getImage().getStep(), e.getImage().getPng().size());
            case ARTIFACT -> out.printf("#%d %s %s (%d bytes)%n", e.getSequence(), e.getArtifact().getKind(), e.getArtifact().getName(), e.getArtifact().getSizeBytes());
            default -> {
            }
        }
        out.flush();
    }
}
