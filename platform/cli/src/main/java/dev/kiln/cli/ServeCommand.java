package dev.kiln.cli;

import dev.kiln.server.KilnServer;
import dev.kiln.runtime.KilnRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kiln serve}: the lab server; loopback-only with one in-process worker unless told otherwise. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Runs the Kiln server: experiments, workers and plugins over gRPC, runs in a database.",
        "By default it listens on 127.0.0.1 only and runs one in-process worker, so `kiln submit` works at once.",
        "On the first start it writes an admin token to $KILN_HOME/admin-token (mode 0600)."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", defaultValue = "7878", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind; anything but loopback needs --tls-cert/--tls-key.")
    String host;

    @Option(names = "--db", paramLabel = "URL", description = "postgresql://USER:PASSWORD@HOST:PORT/DB or a SQLite file (default $KILN_HOME/kiln.db).")
    String db;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Plugin folder (default $KILN_HOME/plugins).")
    Path plugins;

    @Option(names = "--tls-cert", paramLabel = "CERT.pem")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "KEY.pem")
    Path tlsKey;

    @Option(names = "--client-ca", paramLabel = "CA.pem", description = "Accept (and verify) client certificates signed by this CA (mTLS for workers).")
    Path clientCa;

    @Option(names = "--workers", defaultValue = "1", description = "In-process worker slots (0: none; use `kiln worker`).")
    int workers;

    @Option(names = "--home", paramLabel = "DIR", description = "Server state (default $KILN_HOME, else ~/.kiln).")
    Path home;

    @Option(names = "--data", paramLabel = "DIR", description = "In-process worker: look for datasets here first (then $KILN_DATA, ~/.kiln/data, /usr/share/datasets).")
    Path data;

    @Option(names = "--threads", paramLabel = "N", description = "In-process worker: compute threads per run (default: processors / slots).")
    int threads;

    @Option(names = "--lease-timeout-ms", defaultValue = "15000", hidden = true)
    long leaseTimeoutMs;

    @Option(names = "--heartbeat-ms", defaultValue = "2000", hidden = true)
    long heartbeatMs;

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        KilnServer.Config c = new KilnServer.Config().host(host).port(port).db(db).plugins(plugins)
                .timing(java.time.Duration.ofMillis(leaseTimeoutMs), java.time.Duration.ofMillis(heartbeatMs), java.time.Duration.ofSeconds(10));
        if (home != null) {
            c.home(home);
        }
        c.tls(tlsCert, tlsKey, clientCa); // KilnServer refuses half a TLS setup and --client-ca without TLS
        KilnRuntime kiln = null;
        if (workers > 0) {
            // the in-process worker runs experiments with the plugins of the server's plugin folder (installed ones included)
            Path pluginDir = plugins != null ? plugins : (home != null ? home : KilnServer.defaultHome()).resolve("plugins");
            kiln = PluginRuntime.start(pluginDir, true);
            int perRun = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
            c.localWorker(new RunnerExecutor(kiln.registry(), data, perRun, null), workers, WorkerCapabilities.of(kiln.registry(), null));
            c.catalog(new RegistryCatalog(kiln.registry()));
        }
        KilnServer server;
        try {
            server = KilnServer.start(c);
        } catch (RuntimeException | java.io.IOException e) {
            if (kiln != null) {
                kiln.close();
            }
            throw e;
        }
        KilnRuntime runtime = kiln;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (runtime != null) {
                runtime.close();
            }
        }, "kiln-serve-shutdown"));
        var out = spec.commandLine().getOut();
        if (server.adminTokenNotice() != null) {
            out.println("kiln serve: " + server.adminTokenNotice());
        }
        out.println("kiln serve: listening on " + host + ":" + server.port() + " (" + (tlsCert != null ? "TLS" : "plaintext, loopback only")
                + "), database " + server.store().database().display() + (workers > 0 ? ", " + workers + " in-process worker slot(s)" : ""));
        out.flush();
        server.awaitTermination();
        return 0;
    }
}
