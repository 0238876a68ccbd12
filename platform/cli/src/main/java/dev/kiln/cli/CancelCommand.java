package dev.kiln.cli;

import dev.kiln.proto.v1.CancelRunRequest;
import dev.kiln.proto.v1.Run;
import dev.kiln.server.KilnClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code kiln cancel RUN}. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a run; its worker stops within seconds.")
final class CancelCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(paramLabel = "RUN")
    String run;

    @Override
    public Integer call() throws Exception {
        try (KilnClient c = server.connect()) {
            Run r = c.experiments().cancelRun(CancelRunRequest.newBuilder().setName(Remote.run(run)).build());
            spec.commandLine().getOut().println(r.getName() + "  " + r.getState());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException(Remote.describe(e));
        }
    }
}
