package dev.kiln.server;

import dev.kiln.proto.v1.InstallPluginRequest;
import dev.kiln.proto.v1.ListPluginsRequest;
import dev.kiln.proto.v1.ListPluginsResponse;
import dev.kiln.proto.v1.Plugin;
import dev.kiln.proto.v1.PluginServiceGrpc;
import dev.kiln.proto.v1.RemovePluginRequest;
import dev.kiln.proto.v1.RemovePluginResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * {@code PluginService} (admin only): the server's plugin folder, which the plugin runtime watches. A jar is
 * accepted only up to the size limit, with the SHA-256 the admin declared, and only if it is an OSGi bundle.
 */
final class PluginServiceImpl extends PluginServiceGrpc.PluginServiceImplBase {

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}\\.jar");

    /** A jar may unpack to at most this many times its size (a zip bomb does not reach the plugin runtime). */
    static final int MAX_UNPACK_RATIO = 10;

    private final Store store;
    private final Path dir;
    private final long maxBytes;
    private final long maxFolderBytes;
    private final PluginCatalog catalog;

    /**
     * @param maxBytes       largest plugin jar
     * @param maxFolderBytes largest total of the jars in the plugin folder, the new one included
     */
    PluginServiceImpl(Store store, Path dir, long maxBytes, long maxFolderBytes, PluginCatalog catalog) {
        this.store = store;
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxFolderBytes = maxFolderBytes;
        this.catalog = catalog;
    }

    /** Bytes of the plugin jars in the folder, but for {@code except} (which an install replaces). */
    private long folderBytes(String except) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long total = 0;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".jar") && !f.getFileName().toString().equals(except)).toList()) {
                total += Files.size(p);
            }
        }
        return total;
    }

    /** The bytes the jar's entries really unpack to (headers may lie), stopping past {@code limit}. */
    private static long unpackedBytes(Path jar, long limit) throws IOException {
        long total = 0;
        byte[] buf = new byte[1 << 16];
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(jar))) {
            while (in.getNextEntry() != null) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > limit) {
                        return total;
                    }
                }
            }
        }
        return total;
    }

    @Override
    public void listPlugins(ListPluginsRequest req, StreamObserver<ListPluginsResponse> out) {
        try {
            Principal.current().requireAdmin("listing plugins");
            ListPluginsResponse.Builder b = ListPluginsResponse.newBuilder();
            Map<Path, List<Plugin.Component>> running = catalog.components();
            Set<String> listed = new HashSet<>();
            for (Store.PluginRow r : store.plugins()) {
                b.addPlugins(proto(r, running));
                listed.add(r.fileName());
            }
            // jars the runtime runs without an upload through this service: the core plugins, files copied into the folder
            running.entrySet().stream().filter(e -> !listed.contains(e.getKey().getFileName().toString()))
                    .sorted(Map.Entry.comparingByKey()).forEach(e -> b.addPlugins(Plugin.newBuilder()
                            .setName("plugins/" + e.getKey().getFileName()).setFileName(e.getKey().getFileName().toString())
                            .setSizeBytes(size(e.getKey())).addAllComponents(e.getValue())));
            out.onNext(b.build());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (Store.StoreException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    private Plugin proto(Store.PluginRow r, Map<Path, List<Plugin.Component>> running) {
        List<Plugin.Component> components = List.of();
        for (Map.Entry<Path, List<Plugin.Component>> e : running.entrySet()) {
            if (e.getKey().getFileName().toString().equals(r.fileName())) {
                components = e.getValue();
            }
        }
        return Plugin.newBuilder().setName("plugins/" + r.fileName()).setFileName(r.fileName()).setSizeBytes(r.sizeBytes())
                .setSha256(r.sha256()).setInstallTimeMs(r.installedMs()).setInstalledBy(r.installedBy())
                .addAllComponents(components).build();
    }

    private static long size(Path jar) {
        try {
            return Files.isRegularFile(jar) ? Files.size(jar) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public StreamObserver<InstallPluginRequest> installPlugin(StreamObserver<Plugin> out) {
        Principal p = Principal.current();
        try {
            p.requireAdmin("installing plugins");
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return new StreamObserver<>() {
                public void onNext(InstallPluginRequest r) { }

                public void onError(Throwable t) { }

                public void onCompleted() { }
            };
        }
        return new StreamObserver<>() {
            String fileName;
            String expected;
            long declared;
            long size;
            Path tmp;
            OutputStream stream;
            final MessageDigest digest = Tokens.digest();
            boolean failed;

            @Override
            public void onNext(InstallPluginRequest r) {
                if (failed) {
                    return;
                }
                try {
                    if (fileName == null) {
                        if (!FILE.matcher(r.getFileName()).matches()) {
                            throw Status.INVALID_ARGUMENT.withDescription("file_name: expected NAME.jar of [A-Za-z0-9._-], got '" + r.getFileName() + "'").asRuntimeException();
                        }
                        if (!r.getSha256().matches("[0-9a-f]{64}")) {
                            throw Status.INVALID_ARGUMENT.withDescription("sha256: expected 64 lower-case hex digits (sha256sum FILE)").asRuntimeException();
                        }
                        if (r.getSizeBytes() <= 0 || r.getSizeBytes() > maxBytes) {
                            throw Status.RESOURCE_EXHAUSTED.withDescription("plugin size " + r.getSizeBytes() + " bytes; the limit is " + maxBytes).asRuntimeException();
                        }
                        fileName = r.getFileName();
                        expected = r.getSha256();
                        declared = r.getSizeBytes();
                        Files.createDirectories(dir);
                        tmp = Files.createTempFile(dir.getParent() == null ? dir : dir.getParent(), ".plugin-", ".part");
                        stream = Files.newOutputStream(tmp);
                    }
                    byte[] b = r.getData().toByteArray();
                    size += b.length;
                    if (size > declared) {
                        throw Status.RESOURCE_EXHAUSTED.withDescription("plugin data exceeds the declared " + declared + " bytes").asRuntimeException();
                    }
                    digest.update(b);
                    stream.write(b);
                } catch (StatusRuntimeException e) {
                    fail(e);
                } catch (IOException e) {
                    fail(Status.UNAVAILABLE.withDescription("cannot store the plugin: " + e.getMessage()).asRuntimeException());
                }
            }

            private void fail(StatusRuntimeException e) {
                failed = true;
                discard();
                out.onError(e);
            }

            private void discard() {
                try {
                    if (stream != null) {
                        stream.close();
                    }
                    if (tmp != null) {
                        Files.deleteIfExists(tmp);
                    }
                } catch (IOException ignored) {
                    // best effort
                }
            }

            @Override
            public void onError(Throwable t) {
                discard();
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                try {
                    if (fileName == null) {
                        throw Status.INVALID_ARGUMENT.withDescription("no data sent").asRuntimeException();
                    }
                    stream.close();
                    String sha = HexFormat.of().formatHex(digest.digest());
                    if (size != declared || !sha.equals(expected)) {
                        throw Status.DATA_LOSS.withDescription("received " + size + " bytes with SHA-256 " + sha + "; declared " + declared
                                + " bytes with " + expected).asRuntimeException();
                    }
                    try (JarFile jar = new JarFile(tmp.toFile())) {
                        if (jar.getManifest() == null || jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                            throw Status.INVALID_ARGUMENT.withDescription(fileName + " is not an OSGi bundle (no Bundle-SymbolicName in its manifest); "
                                    + "build plugins with bnd-maven-plugin").asRuntimeException();
                        }
                    } catch (IOException e) {
                        throw Status.INVALID_ARGUMENT.withDescription(fileName + " is not a jar: " + e.getMessage()).asRuntimeException();
                    }
                    long unpackLimit = Math.max(size, 1L << 20) * MAX_UNPACK_RATIO;
                    if (unpackedBytes(tmp, unpackLimit) > unpackLimit) {
                        throw Status.RESOURCE_EXHAUSTED.withDescription(fileName + " unpacks to more than " + unpackLimit + " bytes ("
                                + MAX_UNPACK_RATIO + " times its size); a plugin jar holds classes and small resources, not data").asRuntimeException();
                    }
                    long others = folderBytes(fileName);
                    if (others + size > maxFolderBytes) {
                        throw Status.RESOURCE_EXHAUSTED.withDescription("installing " + fileName + " (" + size + " bytes) would bring the plugin "
                                + "folder to " + (others + size) + " bytes; the limit is " + maxFolderBytes + ". Remove plugins no longer "
                                + "used (RemovePlugin, kiln plugins remove) first").asRuntimeException();
                    }
                    Files.move(tmp, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    Store.PluginRow row = new Store.PluginRow(fileName, sha, size, System.currentTimeMillis(), p.name());
                    store.putPlugin(row);
                    out.onNext(proto(row, catalog.components()));
                    out.onCompleted();
                } catch (StatusRuntimeException e) {
                    fail(e);
                } catch (IOException | Store.StoreException e) {
                    fail(Status.UNAVAILABLE.withDescription("cannot store the plugin: " + e.getMessage()).asRuntimeException());
                }
            }
        };
    }

    @Override
    public void removePlugin(RemovePluginRequest req, StreamObserver<RemovePluginResponse> out) {
        try {
            Principal.current().requireAdmin("removing plugins");
            String name = req.getName();
            if (!name.startsWith("plugins/") || !FILE.matcher(name.substring(8)).matches()) {
                throw Status.INVALID_ARGUMENT.withDescription("name must be plugins/{file}.jar, got '" + name + "'").asRuntimeException();
            }
            String file = name.substring(8);
            boolean known = store.removePlugin(file);
            boolean existed = Files.deleteIfExists(dir.resolve(file));
            if (!known && !existed) {
                throw Status.NOT_FOUND.withDescription("no plugin " + name).asRuntimeException();
            }
            out.onNext(RemovePluginResponse.getDefaultInstance());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (IOException | Store.StoreException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        }
    }
}
