package dev.kiln.cli;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.PluginId;
import dev.kiln.runtime.PluginInfo;
import dev.kiln.runtime.PluginProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code kiln plugins}: the plugin folder. The folder is the source of truth; a running Kiln watches it,
 * so {@code install} and {@code remove} only change files (install validates the jar first, in a
 * throw-away framework, so the folder never holds a jar that fails).
 */
@Command(name = "plugins",
        mixinStandardHelpOptions = true,
        description = "List, install and remove plugins in the plugin folder.",
        subcommands = {PluginsCommand.ListPlugins.class, PluginsCommand.InstallPlugin.class, PluginsCommand.RemovePlugin.class})
final class PluginsCommand {

    @Option(names = "--plugins", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Plugin folder (default: $KILN_HOME/plugins, KILN_HOME defaulting to ~/.kiln).")
    Path dir;

    Path dir() {
        return dir != null ? dir : KilnRuntime.defaultPluginDir();
    }

    /** The runtime's own log lines would repeat what these commands print; keep only its errors. */
    private static final java.util.logging.Logger RUNTIME_LOG = java.util.logging.Logger.getLogger("dev.kiln.runtime");

    static KilnRuntime open(Path dir) {
        RUNTIME_LOG.setLevel(java.util.logging.Level.SEVERE);
        return KilnRuntime.builder().pluginDir(dir).watch(false).scrLogLevel("none").start();
    }

    /** {@code kiln plugins list [--json]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Plugins in the folder: kind, name, version, bundle, state, active leases. Rejected jars go to stderr.")
    static final class ListPlugins implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        PluginsCommand parent;
        @Spec
        CommandSpec spec;
        @Option(names = "--json", description = "Print a JSON array of objects with fields kind, name, version, bundle, state, leases.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (KilnRuntime kiln = open(parent.dir())) {
                List<PluginInfo> rows = kiln.registry().list();
                if (json) {
                    out.println(toJson(rows));
                } else {
                    String fmt = "%-11s %-22s %-10s %-34s %-9s %s%n";
                    out.printf(fmt, "KIND", "NAME", "VERSION", "BUNDLE", "STATE", "LEASES");
                    for (PluginInfo r : rows) {
                        out.printf(fmt, r.kind(), r.name(), r.version(), r.bundle(), r.state(), r.leases());
                    }
                }
                for (PluginProblem p : kiln.problems()) {
                    err.println("kiln: " + p.message());
                }
                out.flush();
                err.flush();
                return 0;
            }
        }
    }

    /** {@code kiln plugins install JAR}. */
    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Validate a plugin jar (in a throw-away framework beside the installed plugins) and copy it into the folder.")
    static final class InstallPlugin implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        PluginsCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "JAR", description = "The plugin bundle, e.g. target/my-optimizer-1.0.0.jar.")
        Path jar;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no such file: " + jar);
            }
            Path dir = parent.dir();
            Files.createDirectories(dir);
            Path name = jar.getFileName();
            Path trial = Files.createTempDirectory("kiln-plugin-check-");
            try {
                for (Path existing : jars(dir)) {
                    if (!existing.getFileName().equals(name)) {
                        Files.copy(existing, trial.resolve(existing.getFileName()));
                    }
                }
                try (KilnRuntime kiln = open(trial)) {
                    Files.copy(jar, trial.resolve(name)); // after the installed ones, so a clash is blamed on the new jar
                    for (PluginProblem p : kiln.sync()) {
                        if (p.jar().getFileName().equals(name)) {
                            throw new IllegalStateException(p.message().replace(trial.toString(), dir.toString()));
                        }
                    }
                    List<String> provided = kiln.registry().list().stream()
                            .filter(i -> i.jar().getFileName().equals(name))
                            .map(i -> i.kind() + " " + i.name() + "@" + i.version()).toList();
                    Path tmp = dir.resolve("." + name + ".tmp");
                    Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    spec.commandLine().getOut().println("installed " + dir.resolve(name) + ": " + String.join(", ", provided));
                    spec.commandLine().getOut().flush();
                }
            } finally {
                deleteTree(trial);
            }
            return 0;
        }
    }

    /** {@code kiln plugins remove NAME@VERSION}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove the jar holding NAME@VERSION (NAME is a bundle symbolic name or a plugin name). Running Kiln processes drain it first.")
    static final class RemovePlugin implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        PluginsCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME@VERSION")
        String target;

        @Override
        public Integer call() throws IOException {
            PluginId wanted = PluginId.parse(target);
            Path jar;
            List<String> goes = new ArrayList<>();
            try (KilnRuntime kiln = open(parent.dir())) {
                List<PluginInfo> rows = kiln.registry().list();
                List<PluginInfo> hits = rows.stream()
                        .filter(r -> r.version().equals(wanted.version().toString()))
                        .filter(r -> r.bundle().equals(wanted.symbolicName()) || r.name().equals(wanted.symbolicName())).toList();
                List<Path> jars = hits.stream().map(PluginInfo::jar).distinct().toList();
                if (jars.isEmpty()) {
                    throw new IllegalArgumentException("no plugin " + target + " in " + parent.dir() + "; installed: "
                            + rows.stream().map(r -> r.name() + "@" + r.version() + " (" + r.bundle() + ")").distinct().toList());
                }
                if (jars.size() > 1) {
                    throw new IllegalArgumentException(target + " is ambiguous, it is in " + jars + "; name the bundle symbolic name instead");
                }
                jar = jars.get(0);
                for (PluginInfo r : rows) {
                    if (r.jar().equals(jar)) {
                        goes.add(r.kind() + " " + r.name() + "@" + r.version());
                    }
                }
            }
            Files.delete(jar);
            spec.commandLine().getOut().println("removed " + jar + ": " + String.join(", ", goes));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    static String toJson(List<PluginInfo> rows) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            PluginInfo r = rows.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"kind\":").append(quote(r.kind())).append(",\"name\":").append(quote(r.name()))
                    .append(",\"version\":").append(quote(r.version())).append(",\"bundle\":").append(quote(r.bundle()))
                    .append(",\"state\":").append(quote(r.state())).append(",\"leases\":").append(r.leases()).append('}');
        }
        return sb.append(']').toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static List<Path> jars(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
