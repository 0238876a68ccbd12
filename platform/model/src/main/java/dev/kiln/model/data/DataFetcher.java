package dev.kiln.model.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Puts a known dataset on this machine: {@code apt-get install} of its Debian package when apt can
 * run here (as root or with password-less sudo), otherwise the canonical download into
 * {@code ~/.kiln/data/<name>}, each file verified by SHA-256 before it is moved into place — a failed
 * or mismatching download leaves no file behind.
 */
public final class DataFetcher {

    private final DataLocator locator;
    private final HttpClient http;

    public DataFetcher(DataLocator locator) {
        this(locator, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    public DataFetcher(DataLocator locator, HttpClient http) {
        this.locator = locator;
        this.http = http;
    }

    /** Installs {@code name} by apt when possible, else downloads it; returns where it now is. */
    public Path fetch(String name) throws IOException, InterruptedException {
        KnownDatasets.Source source = KnownDatasets.source(name).orElseThrow(() ->
                new IllegalArgumentException("kiln cannot fetch \"" + name + "\" by itself.\n" + locator.howToInstall(name)));
        String[] required = source.requiredFiles();
        if (source.aptPackage() != null) {
            List<String> apt = aptCommand(source.aptPackage());
            if (apt != null) {
                int rc = new ProcessBuilder(apt).inheritIO().start().waitFor();
                if (rc == 0 && locator.find(name, required).isPresent()) {
                    return locator.locate(name, required);
                }
            }
        }
        if (source.baseUrl() == null) {
            throw new IllegalStateException("kiln cannot download \"" + name + "\" by itself.\n" + locator.howToInstall(name));
        }
        return download(source, URI.create(source.baseUrl()), locator.createUserDirectory(name));
    }

    /** {@code apt-get install -y PKG}, prefixed with {@code sudo -n} when not root; null when apt cannot run. */
    static List<String> aptCommand(String pkg) {
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            return null;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            return List.of("apt-get", "install", "-y", "-q", pkg);
        }
        if (!Files.isExecutable(Path.of("/usr/bin/sudo"))) {
            return null;
        }
        return List.of("sudo", "-n", "apt-get", "install", "-y", "-q", pkg);
    }

    /** Downloads every file of {@code source} from {@code base} into {@code dir}, verifying each. */
    public Path download(KnownDatasets.Source source, URI base, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (KnownDatasets.DataFile f : source.files()) {
            Path target = dir.resolve(f.name());
            if (Files.isRegularFile(target) && verified(target, f)) {
                continue;
            }
            URI uri = base.resolve(f.name());
            Path part = Files.createTempFile(dir, "." + f.name() + ".", ".part");
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                String sha;
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        throw new IOException(uri + ": HTTP " + response.statusCode() + "; " + source.name() + " was not downloaded");
                    }
                    sha = copyWithSha256(body, part);
                }
                if (!sha.equals(f.sha256()) && !(f.contentSha256() != null && f.contentSha256().equals(contentSha256(part)))) {
                    throw new IOException(uri + ": SHA-256 is " + sha + ", expected " + f.sha256()
                            + (f.contentSha256() != null ? " (or content " + f.contentSha256() + ")" : "")
                            + "; the download is corrupt or changed upstream, so it was deleted. Try again.\n" + locator.howToInstall(source.name()));
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        }
        return dir;
    }

    /** Whether a present file matches its published or content sum. */
    static boolean verified(Path file, KnownDatasets.DataFile f) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            if (f.sha256().equals(copyWithSha256(in, null))) {
                return true;
            }
        }
        return f.contentSha256() != null && f.contentSha256().equals(contentSha256(file));
    }

    /** SHA-256 of the decompressed bytes of a gzip file, recognised by its magic bytes (of the bytes themselves when not gzip); null when unreadable. */
    static String contentSha256(Path file) {
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return copyWithSha256(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Copies {@code in} to {@code out} (null: just reads it) and returns the SHA-256 of the bytes, hex. */
    static String copyWithSha256(InputStream in, Path out) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (DigestInputStream d = new DigestInputStream(in, digest)) {
            if (out == null) {
                d.transferTo(OutputStream.nullOutputStream());
            } else {
                try (OutputStream o = Files.newOutputStream(out)) {
                    d.transferTo(o);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
