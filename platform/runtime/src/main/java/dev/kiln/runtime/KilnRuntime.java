package dev.kiln.runtime;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The plugin runtime: an embedded Felix framework with Declarative Services, fed from the plugin
 * folder, with a {@link PluginRegistry} that picks versions and hands out leases.
 *
 * <p>The host keeps the API, the engine and all native code; the framework holds only plugin
 * bundles plus SCR and its three OSGi dependencies, which travel inside this jar. The API packages
 * are exported into the framework from the kiln-api jar's own {@code Export-Package} header. The
 * framework cache is a fresh temporary directory, cleaned on first init and deleted on close: the
 * plugin folder is the source of truth.
 *
 * <pre>{@code
 * try (KilnRuntime kiln = KilnRuntime.builder().pluginDir(dir).start()) {
 *     try (Lease<OptimizerFactory> adam = kiln.registry().acquire(OptimizerFactory.class, "optimizer", PluginRef.parse("adam"), "run-1")) { ... }
 * }
 * }</pre>
 */
public final class KilnRuntime implements AutoCloseable {

    /** SCR and the bundles it needs, in install order; packaged under {@code dev/kiln/runtime/bundles/}. */
    static final List<String> SYSTEM_BUNDLES = List.of(
            "org.osgi.util.function.jar", "org.osgi.util.promise.jar", "org.osgi.service.component.jar", "org.apache.felix.scr.jar");

    private static final System.Logger LOG = System.getLogger("dev.kiln.runtime");

    private final Framework framework;
    private final Path storage;
    private final Path pluginDir;
    private final ApiExports exports;
    private final ExecutorService pluginThread;
    private final PluginRegistry registry;
    private final PluginFolder folder;
    private final List<Path> corePlugins;
    private final List<PluginProblem> coreProblems = new ArrayList<>();

    private KilnRuntime(Builder b) throws IOException, BundleException {
        this.corePlugins = List.copyOf(b.corePlugins);
        this.pluginDir = b.pluginDir;
        Files.createDirectories(pluginDir);
        this.exports = ApiExports.fromClassPath(KilnRuntime.class.getClassLoader());
        this.storage = b.storageDir != null ? b.storageDir : Files.createTempDirectory("kiln-felix-");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, exports.header());
        config.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MANAGED);
        config.put("felix.log.level", "1");
        config.put("ds.loglevel", b.scrLogLevel);
        this.framework = new FrameworkFactory().newFramework(config);
        boolean started = false;
        try {
            framework.start();
            BundleContext ctx = framework.getBundleContext();
            List<Bundle> system = new ArrayList<>();
            for (String name : SYSTEM_BUNDLES) {
                try (InputStream in = KilnRuntime.class.getResourceAsStream("bundles/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("bundles/" + name + " is missing from the kiln-runtime jar; rebuild platform/runtime");
                    }
                    system.add(ctx.installBundle("kiln-system:" + name, in));
                }
            }
            for (Bundle s : system) {
                s.start();
            }
            this.pluginThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "kiln-plugins");
                t.setDaemon(true);
                return t;
            });
            this.registry = new PluginRegistry(ctx, pluginThread, b.listener);
            this.folder = new PluginFolder(pluginDir, registry, pluginThread);
            if (!corePlugins.isEmpty()) {
                onPluginThread(() -> {
                    coreProblems.addAll(CorePlugins.install(corePlugins, registry));
                    return null;
                });
            }
            sync();
            if (b.watch) {
                folder.watch(b.debounce, b.rescan);
            }
            started = true;
        } finally {
            if (!started) {
                stopFramework();
            }
        }
        LOG.log(System.Logger.Level.INFO, "plugin runtime ready: {0} plugin bundle(s) from {1} and core {2}; API exports {3}",
                registry.installed().size(), pluginDir, corePlugins, exports.packages());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code $KILN_HOME}, or {@code ~/.kiln}. */
    public static Path kilnHome() {
        String env = System.getenv("KILN_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".kiln");
    }

    /** {@code $KILN_HOME/plugins}. */
    public static Path defaultPluginDir() {
        return kilnHome().resolve("plugins");
    }

    public PluginRegistry registry() {
        return registry;
    }

    public Path pluginDir() {
        return pluginDir;
    }

    /** The core plugin bundles installed at start (jars, folders of jars, exploded bundles); never watched or retired. */
    public List<Path> corePlugins() {
        return corePlugins;
    }

    public ApiExports apiExports() {
        return exports;
    }

    /** Every bundle in the framework as {@code symbolicName@version [state]}: SCR and its dependencies, then plugins. */
    public List<String> frameworkBundles() {
        List<String> out = new ArrayList<>();
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (b.getBundleId() != 0) {
                out.add(b.getSymbolicName() + "@" + b.getVersion() + " [" + stateName(b.getState()) + "]");
            }
        }
        return out;
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            default -> "uninstalled";
        };
    }

    /** Rescans the plugin folder now and waits; returns the jars of the folder currently rejected. */
    public List<PluginProblem> sync() {
        return onPluginThread(folder::sync);
    }

    /** The jars currently rejected (core bundles first), each with cause and fix. */
    public List<PluginProblem> problems() {
        return onPluginThread(() -> {
            List<PluginProblem> out = new ArrayList<>(coreProblems);
            out.addAll(folder.problems());
            return out;
        });
    }

    /** Waits until work queued on the plugin thread so far (installs, drains) is done. */
    public void awaitIdle() {
        onPluginThread(() -> null);
    }

    private <R> R onPluginThread(java.util.concurrent.Callable<R> task) {
        try {
            return pluginThread.submit(task).get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("plugin folder sync failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("plugin thread busy for over 2 minutes", e);
        }
    }

    @Override
    public void close() {
        if (folder != null) {
            folder.close();
        }
        if (pluginThread != null) {
            pluginThread.shutdown();
            try {
                pluginThread.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopFramework();
    }

    private void stopFramework() {
        try {
            framework.stop();
            FrameworkEvent e = framework.waitForStop(30_000);
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.log(System.Logger.Level.WARNING, "framework did not stop in 30 s");
            }
        } catch (BundleException | InterruptedException e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the framework: " + e);
        }
        deleteTree(storage);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort; the next start cleans the cache on first init anyway
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    /** Options for {@link KilnRuntime}. */
    public static final class Builder {
        private Path pluginDir = defaultPluginDir();
        private final List<Path> corePlugins = new ArrayList<>();
        private Path storageDir;
        private boolean watch = true;
        private Duration debounce = Duration.ofMillis(100);
        private Duration rescan = Duration.ofSeconds(5);
        private PluginListener listener = new PluginListener() {
        };
        private String scrLogLevel = "error";

        private Builder() {
        }

        /** The plugin folder; default {@code $KILN_HOME/plugins}. Created if missing. */
        public Builder pluginDir(Path dir) {
            this.pluginDir = dir;
            return this;
        }

        /**
         * Core plugin bundles shipped with Kiln, installed at start before the plugin folder and never watched or
         * retired: each entry is a bundle jar, a folder of bundle jars (the distribution's {@code plugins/}), or an
         * exploded bundle (a classes folder with {@code META-INF/MANIFEST.MF}, as in a reactor build before
         * {@code package}). A plugin-folder bundle with the same symbolic name and a higher version wins through
         * the registry's version resolution; the core bundle stays installed beside it.
         */
        public Builder corePlugins(List<Path> entries) {
            this.corePlugins.addAll(entries);
            return this;
        }

        /** {@link #corePlugins(List)} with one entry. */
        public Builder corePlugins(Path entry) {
            return corePlugins(List.of(entry));
        }

        /** The framework cache; default a fresh temporary directory. Cleaned on first init, deleted on close. */
        public Builder storageDir(Path dir) {
            this.storageDir = dir;
            return this;
        }

        /** Whether to watch the folder for changes (default true); without it only {@link KilnRuntime#sync()} rescans. */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /** How long the folder must be quiet before a change is acted on (default 100 ms). */
        public Builder debounce(Duration debounce) {
            this.debounce = debounce;
            return this;
        }

        /** How often the folder is rescanned without a watch event (default 5 s). */
        public Builder rescan(Duration rescan) {
            this.rescan = rescan;
            return this;
        }

        public Builder listener(PluginListener listener) {
            this.listener = listener;
            return this;
        }

        /** Felix SCR's own console logging: none, error (default), warn, info, debug. */
        public Builder scrLogLevel(String level) {
            this.scrLogLevel = level;
            return this;
        }

        public KilnRuntime start() {
            try {
                return new KilnRuntime(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the plugin runtime: " + e.getMessage(), e);
            } catch (BundleException e) {
                throw new IllegalStateException("cannot start the plugin runtime: " + e.getMessage(), e);
            }
        }
    }
}
