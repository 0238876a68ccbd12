package dev.kiln.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The plugin folder, the source of truth for what is installed. {@link #sync()} makes the framework
 * match the folder: a new jar is installed beside whatever is there; a changed jar is installed
 * beside its previous build, which then drains; a removed jar drains and is uninstalled. A jar that
 * fails keeps its problem until its content changes; an older good build of the same file keeps
 * serving. Hidden files and names not ending in {@code .jar} are ignored, so copy to a temporary
 * name and rename (as {@code kiln plugins install} does).
 */
final class PluginFolder implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.kiln.runtime");

    /** What the folder last held under one file name. */
    private static final class Seen {
        long size;
        long modified;
        String sha256;
        PluginBundle active;
        PluginProblem problem;
    }

    private final Path dir;
    private final PluginRegistry registry;
    private final ExecutorService pluginThread;
    private final Map<Path, Seen> seen = new HashMap<>();
    private volatile WatchService watcher;
    private Thread watchThread;

    PluginFolder(Path dir, PluginRegistry registry, ExecutorService pluginThread) {
        this.dir = dir;
        this.registry = registry;
        this.pluginThread = pluginThread;
    }

    /** Makes the framework match the folder. Runs on the plugin thread only. */
    List<PluginProblem> sync() {
        Set<Path> present = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path f : files) {
                if (!f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                    present.add(f);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list plugin folder " + dir + ": " + e);
            return problems();
        }
        for (Path f : present) {
            try {
                syncFile(f);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read " + f + " (retrying on the next change): " + e);
            }
        }
        for (Path gone : new HashSet<>(seen.keySet())) {
            if (!present.contains(gone)) {
                Seen s = seen.remove(gone);
                if (s.active != null) {
                    registry.retire(s.active);
                }
            }
        }
        return problems();
    }

    private void syncFile(Path f) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(f, BasicFileAttributes.class);
        Seen s = seen.get(f);
        long modified = attrs.lastModifiedTime().toMillis();
        if (s != null && s.size == attrs.size() && s.modified == modified) {
            return;
        }
        byte[] content = Files.readAllBytes(f);
        String sha = sha256(content);
        if (s == null) {
            s = new Seen();
            seen.put(f, s);
        }
        s.size = attrs.size();
        s.modified = modified;
        if (sha.equals(s.sha256)) {
            return;
        }
        s.sha256 = sha;
        PluginBundle previous = s.active;
        PluginRegistry.Installed result = registry.install(f, content, sha, previous);
        if (result.bundle() != null) {
            if (previous != null && !previous.isRetired()) {
                registry.retire(previous);
            }
            s.active = result.bundle();
            s.problem = null;
        } else {
            s.problem = result.problem();
            if (previous != null && previous.isRetired()) {
                s.active = null;
            }
        }
    }

    List<PluginProblem> problems() {
        List<PluginProblem> out = new ArrayList<>();
        for (Seen s : seen.values()) {
            if (s.problem != null) {
                out.add(s.problem);
            }
        }
        return out;
    }

    /** Watches the folder; after changes stop for {@code debounce}, syncs. Also rescans every {@code rescan}. */
    void watch(Duration debounce, Duration rescan) throws IOException {
        watcher = FileSystems.getDefault().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        watchThread = new Thread(() -> watchLoop(debounce, rescan), "kiln-plugin-watch");
        watchThread.setDaemon(true);
        watchThread.start();
    }

    private void watchLoop(Duration debounce, Duration rescan) {
        WatchService w = watcher;
        try {
            while (true) {
                WatchKey key = w.poll(rescan.toMillis(), TimeUnit.MILLISECONDS);
                // Debounce: wait until the folder has been quiet for the debounce interval.
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = w.poll(debounce.toMillis(), TimeUnit.MILLISECONDS);
                }
                pluginThread.execute(this::sync);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "plugin folder watcher stopped: " + e, e);
        }
    }

    @Override
    public void close() {
        WatchService w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            try {
                watchThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
