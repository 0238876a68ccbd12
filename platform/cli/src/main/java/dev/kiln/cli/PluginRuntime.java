package dev.kiln.cli;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.PluginProblem;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The plugin runtime of one {@code kiln} process: the core plugin bundles shipped with Kiln plus the user's plugin
 * folder. The core bundles are found, in order, in the system property {@code kiln.core.plugins} or the environment
 * variable {@code KILN_CORE_PLUGINS} (a list of jars, folders of jars or exploded bundles, separated by
 * {@code ,} or the path separator), else in {@code plugins/} beside the CLI jar (the distribution layout:
 * {@code kiln-cli-VERSION.jar}, {@code lib/}, {@code plugins/}).
 */
final class PluginRuntime {

    static final String PROPERTY = "kiln.core.plugins";
    static final String ENV = "KILN_CORE_PLUGINS";

    /** The runtime's own log lines would repeat what the commands print; keep its warnings (rejected jars). */
    private static final java.util.logging.Logger RUNTIME_LOG = java.util.logging.Logger.getLogger("dev.kiln.runtime");

    private PluginRuntime() {
    }

    /** Where the core plugin bundles are. */
    static List<Path> corePlugins() {
        String configured = System.getProperty(PROPERTY);
        String from = "-D" + PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV);
            from = ENV;
        }
        if (configured != null && !configured.isBlank()) {
            List<Path> entries = Arrays.stream(configured.split("[," + File.pathSeparator + "]")).map(String::strip)
                    .filter(s -> !s.isEmpty()).map(Path::of).toList();
            for (Path p : entries) {
                if (!Files.exists(p)) {
                    throw new IllegalStateException(from + " names " + p + ", which does not exist");
                }
            }
            return entries;
        }
        Path home = installDir();
        Path dir = home.resolve("plugins");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the core plugins are missing: no folder " + dir + " beside the kiln CLI jar; rebuild with"
                    + " `mvn -DskipTests package` (./kiln does it), or set " + ENV + " to the folder holding the core plugin jars");
        }
        return List.of(dir);
    }

    /** The folder holding the CLI jar (or its classes folder). */
    static Path installDir() {
        try {
            Path self = Path.of(PluginRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the kiln CLI jar is (" + e + "); set " + ENV, e);
        }
    }

    /** Starts the framework with the core plugins and {@code pluginDir} (null: {@code $KILN_HOME/plugins}), unwatched. */
    static KilnRuntime start(Path pluginDir) {
        return start(pluginDir, false);
    }

    /**
     * As {@link #start(Path)}; {@code watch}: long-lived processes (a server's in-process worker, {@code kiln worker})
     * pick up plugins installed into the folder while they run, each new run leasing the newest version.
     */
    static KilnRuntime start(Path pluginDir, boolean watch) {
        RUNTIME_LOG.setLevel(java.util.logging.Level.WARNING);
        KilnRuntime kiln = KilnRuntime.builder()
                .corePlugins(corePlugins())
                .pluginDir(pluginDir != null ? pluginDir : KilnRuntime.defaultPluginDir())
                .watch(watch)
                .scrLogLevel("none")
                .start();
        for (PluginProblem p : kiln.problems()) {
            System.err.println("kiln: " + p.message());
        }
        return kiln;
    }
}
