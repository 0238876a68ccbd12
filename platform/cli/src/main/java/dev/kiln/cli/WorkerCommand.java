package dev.kiln.cli;

import dev.kiln.proto.v1.Capabilities;
import dev.kiln.server.KilnClient;
import dev.kiln.server.SyntheticExecutor;
import dev.kiln.server.Worker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code kiln worker --server HOST:PORT}: leases runs from a server and runs them here. */
@Command(name = "worker", mixinStandardHelpOptions = true, description = "Leases runs from a Kiln server and runs them on this machine.")
final class WorkerCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Option(names = "--slots", defaultValue = "1", description = "Runs at once (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--id", description = "Worker id (default HOST-PID).")
    String id;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Run directories (default $KILN_HOME/worker).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        String wid = id != null ? id : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        Path dir = workDir != null ? workDir : dev.kiln.server.KilnServer.defaultHome().resolve("worker");
        KilnClient client = server.connect();
        Worker.Options o = new Worker.Options(wid, slots, Capabilities.newBuilder().setBackend("cpu").build(), dir,
                Duration.ofMillis(50), Duration.ofHours(24), Duration.ofMinutes(10));
        Worker w = new Worker(client.channel(), client.credentials(), new SyntheticExecutor(), o).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            w.close();
            client.close();
        }, "kiln-worker-shutdown"));
        spec.commandLine().getOut().println("kiln worker " + wid + ": connecting (" + slots + " slot(s), runs in " + dir + ")");
        spec.commandLine().getOut().flush();
        while (!w.draining() || w.active() > 0) {
            Thread.sleep(500);
        }
        return 0;
    }
}
