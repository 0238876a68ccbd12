package dev.kiln.cli;

import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.ListRunsResponse;
import dev.kiln.proto.v1.Run;
import dev.kiln.run.Runner;
import dev.kiln.server.KilnClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kiln runs}: local run directories, newest first, with their summaries; with {@code --server}, runs on a server. */
@Command(name = "runs",
        mixinStandardHelpOptions = true,
        description = {"List local runs with status, epochs, test accuracy, wall time and throughput.",
                "With --server HOST:PORT: runs on a Kiln server (yours; all for admins)."})
final class RunsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "Where run directories are (default ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ServerOptions server;

    @Option(names = "--filter", defaultValue = "", description = "With --server: e.g. 'state=RUNNING owner=alice name=mnist-mlp'.")
    String filter;

    @Option(names = "--limit", defaultValue = "50", description = "With --server: at most this many runs.")
    int limit;

    @Override
    public Integer call() throws Exception {
        if (server.server != null) {
            return remote();
        }
        List<Map<String, Object>> runs = Runner.list(out);
        if (runs.isEmpty()) {
            System.out.println("no runs in " + out + "; start one with kiln run experiments/fashion-mlp.yaml");
            return 0;
        }
        String fmt = "%-40s %-10s %6s %9s %9s %9s %8s%n";
        System.out.printf(fmt, "RUN", "STATUS", "EPOCHS", "TEST_ACC", "BEST_VAL", "WALL_S", "IMG/S");
        for (Map<String, Object> r : runs) {
            System.out.printf(fmt, r.get("run"), r.get("status"), num(r.get("epochs"), "%.0f"), num(r.get("test_accuracy"), "%.4f"),
                    num(r.get("best_val_accuracy"), "%.4f"), num(r.get("wall_seconds"), "%.1f"), num(r.get("train_images_per_second"), "%.0f"));
        }
        return 0;
    }

    private int remote() throws Exception {
        var o = spec.commandLine().getOut();
        try (KilnClient c = server.connect()) {
            String token = "";
            int shown = 0;
            o.printf("%-32s %-10s %-11s %7s %s%n", "RUN", "OWNER", "STATE", "ATTEMPT", "QUEUE/ERROR");
            do {
                ListRunsResponse page = c.experiments().listRuns(ListRunsRequest.newBuilder().setFilter(filter)
                        .setPageSize(Math.min(100, limit - shown)).setPageToken(token).build());
                for (Run r : page.getRunsList()) {
                    o.printf("%-32s %-10s %-11s %7d %s%n", r.getName().substring(5), r.getOwner(), r.getState(), r.getAttempt(),
                            r.getQueuePosition() > 0 ? "#" + r.getQueuePosition() + (r.getWaitingReason().isEmpty() ? "" : " " + r.getWaitingReason())
                                    : r.getError());
                    shown++;
                }
                token = page.getNextPageToken();
            } while (!token.isEmpty() && shown < limit);
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException(Remote.describe(e));
        }
        o.flush();
        return 0;
    }

    private static String num(Object v, String fmt) {
        return v instanceof Number n ? String.format(fmt, n.doubleValue()) : "-";
    }
}
