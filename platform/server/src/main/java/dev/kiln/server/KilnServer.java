package dev.kiln.server;

import dev.kiln.proto.v1.Capabilities;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The lab server's lifecycle: store, coordinator, the three services behind the auth interceptor on a Netty
 * listener (loopback unless TLS is configured), and optionally one in-process worker. Services stay separate
 * classes; this class only wires and starts them.
 */
public final class KilnServer implements AutoCloseable {

    /** Largest inbound gRPC message (a spec is limited further by {@link SpecValidator#MAX_SPEC_BYTES}). */
    public static final int MAX_MESSAGE_BYTES = 4 << 20;
    public static final int MAX_METADATA_BYTES = 8 << 10;

    /** How to start a server. */
    public static final class Config {
        Path home = defaultHome();
        String host = "127.0.0.1";
        int port = 7878;
        String db;
        Path plugins;
        Path tlsCert;
        Path tlsKey;
        Path clientCa;
        int localWorkerSlots = 1;
        RunExecutor localExecutor;
        Capabilities localCapabilities;
        Coordinator.Settings settings = Coordinator.Settings.defaults();
        ExperimentServiceImpl.Limits limits = ExperimentServiceImpl.Limits.defaults();
        long maxPluginBytes = 64L << 20;
        long maxPluginFolderBytes = 1L << 30;
        PluginCatalog catalog = PluginCatalog.NONE;

        public Config home(Path p) {
            home = p;
            return this;
        }

        public Config host(String h) {
            host = h;
            return this;
        }

        /** 0 picks a free port. */
        public Config port(int p) {
            port = p;
            return this;
        }

        public Config db(String url) {
            db = url;
            return this;
        }

        public Config plugins(Path dir) {
            plugins = dir;
            return this;
        }

        /**
         * Serves over TLS with this certificate chain and PKCS#8 key (PEM). With {@code clientCaOrNull}, clients may
         * present certificates signed by it, and workers must (mTLS for workers; users still connect with a token).
         */
        public Config tls(Path cert, Path key, Path clientCaOrNull) {
            tlsCert = cert;
            tlsKey = key;
            clientCa = clientCaOrNull;
            return this;
        }

        /** Runs one in-process worker with this executor (null: none), offering a CPU backend and any plugin. */
        public Config localWorker(RunExecutor executor, int slots) {
            return localWorker(executor, slots, Capabilities.newBuilder().setBackend("cpu").build());
        }

        /** Runs one in-process worker with this executor (null: none) that advertises {@code capabilities}. */
        public Config localWorker(RunExecutor executor, int slots, Capabilities capabilities) {
            localExecutor = executor;
            localWorkerSlots = slots;
            localCapabilities = capabilities;
            return this;
        }

        public Config timing(Duration leaseTimeout, Duration heartbeat, Duration cancelTimeout) {
            settings = new Coordinator.Settings(leaseTimeout, heartbeat, cancelTimeout, settings.userLimit(), settings.maxArtifactBytes());
            return this;
        }

        public Config userLimit(int maxActiveRunsPerUser) {
            settings = new Coordinator.Settings(settings.leaseTimeout(), settings.heartbeatInterval(), settings.cancelTimeout(),
                    maxActiveRunsPerUser, settings.maxArtifactBytes());
            return this;
        }

        public Config streamsPerUser(int n) {
            limits = new ExperimentServiceImpl.Limits(limits.maxQueuedPerUser(), n);
            return this;
        }

        /** What ListPlugins reports of the running plugins (versions, leases); default: nothing beyond the uploads. */
        public Config catalog(PluginCatalog c) {
            catalog = c;
            return this;
        }

        public Config maxPluginBytes(long n) {
            maxPluginBytes = n;
            return this;
        }

        /** The most the plugin folder's jars may add up to; an install beyond it is refused (RESOURCE_EXHAUSTED). */
        public Config maxPluginFolderBytes(long n) {
            maxPluginFolderBytes = n;
            return this;
        }
    }

    /** {@code $KILN_HOME}, else {@code ~/.kiln}. */
    public static Path defaultHome() {
        String env = System.getenv("KILN_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".kiln");
    }

    private final Config config;
    private Store store;
    private Coordinator coordinator;
    private Server server;
    private Server inProcess;
    private ManagedChannel localChannel;
    private Worker localWorker;
    private ExecutorService pumps;
    private ExecutorService callExecutor;
    private String adminTokenNotice;

    private KilnServer(Config config) {
        this.config = config;
    }

    public static KilnServer start(Config config) throws IOException {
        KilnServer s = new KilnServer(config);
        try {
            s.startInternal();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startInternal() throws IOException {
        if (config.clientCa != null && config.tlsCert == null) {
            throw new IllegalArgumentException("--client-ca needs TLS: pass --tls-cert CERT.pem --tls-key KEY.pem as well");
        }
        if ((config.tlsCert == null) != (config.tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        boolean loopback = isLoopback(config.host);
        if (!loopback && config.tlsCert == null) {
            throw new IllegalArgumentException("binding to " + config.host + " exposes the server beyond this machine; that needs TLS: "
                    + "pass --tls-cert CERT.pem --tls-key KEY.pem (or bind to 127.0.0.1)");
        }
        Files.createDirectories(config.home);
        store = Store.open(Database.parse(config.db, config.home));
        adminTokenNotice = bootstrapAdmin();
        Path artifacts = config.home.resolve("artifacts");
        EventHub hub = new EventHub();
        coordinator = new Coordinator(store, hub, artifacts, config.settings);
        pumps = Executors.newFixedThreadPool(2, daemon("kiln-events"));
        callExecutor = Executors.newFixedThreadPool(16, daemon("kiln-grpc"));
        Map<String, Principal> memoryTokens = new ConcurrentHashMap<>();
        String localToken = Tokens.generate();
        memoryTokens.put(Tokens.sha256(localToken), new Principal("local-worker", Role.WORKER));
        AuthInterceptor auth = new AuthInterceptor(store, memoryTokens);
        Path pluginDir = config.plugins != null ? config.plugins : config.home.resolve("plugins");
        var experiments = ServerInterceptors.intercept(new ExperimentServiceImpl(store, hub, coordinator, artifacts, pumps, config.limits), auth);
        WorkerServiceImpl workerService = new WorkerServiceImpl(coordinator);
        var workers = ServerInterceptors.intercept(workerService, auth);
        // over the network, workers prove themselves with a client certificate too when a client CA is configured
        var networkWorkers = config.clientCa == null ? workers : ServerInterceptors.intercept(workerService, auth, new ClientCertificateInterceptor());
        var plugins = ServerInterceptors.intercept(new PluginServiceImpl(store, pluginDir, config.maxPluginBytes, config.maxPluginFolderBytes, config.catalog), auth);

        ServerCredentials creds;
        if (config.tlsCert != null) {
            TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(config.tlsCert.toFile(), config.tlsKey.toFile());
            if (config.clientCa != null) {
                tls.trustManager(config.clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
            }
            creds = tls.build();
        } else {
            creds = InsecureServerCredentials.create();
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host, config.port), creds)
                .addService(experiments).addService(networkWorkers).addService(plugins)
                .executor(callExecutor)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(MAX_METADATA_BYTES)
                .maxConcurrentCallsPerConnection(64)
                .handshakeTimeout(20, TimeUnit.SECONDS)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .build().start();
        coordinator.start();
        if (config.localExecutor != null) {
            String name = "kiln-local-" + UUID.randomUUID();
            inProcess = InProcessServerBuilder.forName(name).addService(experiments).addService(workers).addService(plugins)
                    .executor(callExecutor).maxInboundMessageSize(MAX_MESSAGE_BYTES).build().start();
            localChannel = InProcessChannelBuilder.forName(name).executor(callExecutor).maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
            Worker.Options o = new Worker.Options("local-" + ProcessHandle.current().pid(), config.localWorkerSlots,
                    config.localCapabilities, config.home.resolve("work"), Duration.ofMillis(50),
                    Duration.ofHours(24), Duration.ofMinutes(10));
            localWorker = new Worker(localChannel, BearerToken.of(localToken), config.localExecutor, o).start();
        }
    }

    /** On the first start (no admin yet), creates user {@code admin} and writes its token to {@code $KILN_HOME/admin-token} (0600). */
    private String bootstrapAdmin() throws IOException {
        if (store.user("admin").isPresent()) {
            return null;
        }
        String token = Tokens.generate();
        Path file = config.home.resolve("admin-token");
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        store.addUser("admin", Role.ADMIN, Tokens.sha256(token));
        return "wrote the admin token to " + file.toAbsolutePath() + " (mode 0600); clients: export KILN_TOKEN=$(cat " + file.toAbsolutePath() + ")";
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve --host " + host + ": " + e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    /** A notice about the admin token written on the first start, or null. */
    public String adminTokenNotice() {
        return adminTokenNotice;
    }

    public Store store() {
        return store;
    }

    public Worker localWorker() {
        return localWorker;
    }

    public Path home() {
        return config.home;
    }

    /** Blocks until the server terminates. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        if (coordinator != null) {
            coordinator.drainAll("server shutting down");
        }
        if (localWorker != null) {
            localWorker.close();
        }
        if (localChannel != null) {
            localChannel.shutdownNow();
        }
        if (inProcess != null) {
            inProcess.shutdownNow();
        }
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                    server.awaitTermination(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (pumps != null) {
            pumps.shutdownNow();
        }
        if (callExecutor != null) {
            callExecutor.shutdownNow();
        }
        if (store != null) {
            store.close();
        }
    }
}
