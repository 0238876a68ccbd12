package dev.kiln.cli;

import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.Run;
import dev.kiln.run.SpecLoader;
import dev.kiln.server.KilnClient;
import dev.kiln.server.SpecValidator;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code kiln submit SPEC}: sends an experiment to a server (retries are safe: one request id per submission). */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Submits an experiment spec (YAML or JSON) to a Kiln server.")
final class SubmitCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(paramLabel = "SPEC", description = "Experiment file.")
    Path file;

    @Option(names = "--watch", description = "Follow the run's progress until it ends.")
    boolean watch;

    @Option(names = "--priority", defaultValue = "0", description = "Queue priority (admins only).")
    int priority;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field of the spec, as with kiln run: --set trainer.epochs=1.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file; pass the path of an experiment YAML");
        }
        // the run module's loader: every problem with file:line: path and the fix; then what the server will check
        ExperimentSpec s = SpecLoader.load(file, overrides).spec();
        SpecValidator.validate(s);
        String requestId = UUID.randomUUID().toString();
        try (KilnClient c = server.connect()) {
            Run run = null;
            for (int attempt = 1; run == null; attempt++) {
                try {
                    run = c.experiments().createRun(CreateRunRequest.newBuilder().setSpec(s).setRequestId(requestId).setPriority(priority).build());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || attempt >= 5) {
                        throw new IllegalStateException(Remote.describe(e));
                    }
                    Thread.sleep(200L * attempt); // same request id: a retry cannot submit twice
                }
            }
            var out = spec.commandLine().getOut();
            out.println(run.getName() + "  " + run.getState() + (run.getQueuePosition() > 0 ? "  queue position " + run.getQueuePosition() : "")
                    + (run.getWaitingReason().isEmpty() ? "" : "  (" + run.getWaitingReason() + ")"));
            out.flush();
            return watch ? WatchCommand.follow(c, run.getName(), 0, out) : 0;
        }
    }
}
