package dev.kiln.cli;

import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.ListRunsResponse;
import dev.kiln.proto.v1.Run;
import dev.kiln.server.KilnClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code kiln runs --server}: runs on a server, newest first. (The local listing of run directories arrives with
 * platform/run; this class then takes both, local without --server.)
 */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "Lists runs on a Kiln server (yours; all for admins).")
final class RunsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Option(names = "--filter", defaultValue = "", description = "e.g. 'state=RUNNING owner=alice name=mnist-mlp'.")
    String filter;

    @Option(names = "--limit", defaultValue = "50")
    int limit;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try (KilnClient c = server.connect()) {
            String token = "";
            int shown = 0;
            out.printf("%-32s %-10s %-11s %7s %s%n", "RUN", "OWNER", "STATE", "ATTEMPT", "QUEUE/ERROR");
            do {
                ListRunsResponse page = c.experiments().listRuns(ListRunsRequest.newBuilder().setFilter(filter)
                        .setPageSize(Math.min(100, limit - shown)).setPageToken(token).build());
                for (Run r : page.getRunsList()) {
                    out.printf("%-32s %-10s %-11s %7d %s%n", r.getName().substring(5), r.getOwner(), r.getState(), r.getAttempt(),
                            r.getQueuePosition() > 0 ? "#" + r.getQueuePosition() : r.getError());
                    shown++;
                }
                token = page.getNextPageToken();
            } while (!token.isEmpty() && shown < limit);
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException(Remote.describe(e));
        }
        out.flush();
        return 0;
    }
}
