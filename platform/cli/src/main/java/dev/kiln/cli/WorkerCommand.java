package dev.kiln.cli;

import dev.kiln.proto.v1.Capabilities;
import dev.kiln.server.KilnClient;
import dev.kiln.runtime.KilnRuntime;
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

    @Option(names = "--data", paramLabel = "DIR", description = "Look for datasets here first (then $KILN_DATA, ~/.kiln/data, /usr/share/datasets).")
    Path data;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads per run (default: processors / slots).")
    int threads;

    @Option(names = "--backend", paramLabel = "B", description = "Backend (java, cpu, ...); default: the spec's, else the best available.")
    String backend;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugin folder, watched (default: $KILN_HOME/plugins).")
    Path plugins;

    @Option(names = "--keep-run-dirs", description = "Keep each run's local directory after the server has it all (default: delete it).")
    boolean keepRunDirs;

    @Override
    public Integer call() throws Exception {
        String wid = id != null ? id : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        Path dir = workDir != null ? workDir : dev.kiln.server.KilnServer.defaultHome().resolve("worker");
        KilnRuntime kiln = PluginRuntime.start(plugins, true);
        KilnClient client = server.connect();
        Capabilities caps = WorkerCapabilities.of(kiln.registry(), backend);
        Worker.Options o = new Worker.Options(wid, slots, caps, dir, Duration.ofMillis(50), Duration.ofHours(24), Duration.ofMinutes(10), keepRunDirs);
        int perRun = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, slots));
        Worker w = new Worker(client.channel(), client.credentials(), new RunnerExecutor(kiln.registry(), data, perRun, backend), o).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            w.close();
            client.close();
            kiln.close();
        }, "kiln-worker-shutdown"));
        spec.commandLine().getOut().println("kiln worker " + wid + ": connecting (" + slots + " slot(s), runs in " + dir + ")");
        spec.commandLine().getOut().flush();
        while (!w.draining() || w.active() > 0) {
            Thread.sleep(500);
        }
        return 0;
    }
}
