package dev.kiln.model.data;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The download-and-verify path against a loopback HTTP server. */
class DataFetcherTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath().substring(1));
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static String sha(byte[] data) throws IOException {
        return DataFetcher.copyWithSha256(new java.io.ByteArrayInputStream(data), null);
    }

    private DataFetcher fetcher() {
        return new DataFetcher(new DataLocator(null, null, tmp.resolve("home"), tmp.resolve("sys"), 1));
    }

    @Test
    void downloadsAndVerifiesEveryFile() throws Exception {
        byte[] a = gzip("alpha".getBytes(StandardCharsets.UTF_8));
        served.put("a.gz", a);
        KnownDatasets.Source source = new KnownDatasets.Source("toy", null, null,
                List.of(new KnownDatasets.DataFile("a.gz", sha(a), null)), null);
        Path dir = fetcher().download(source, base, tmp.resolve("out"));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("a.gz")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left");
        }
    }

    @Test
    void checksumMismatchIsRejectedAndLeavesNoFile() throws Exception {
        served.put("a.gz", gzip("tampered".getBytes(StandardCharsets.UTF_8)));
        KnownDatasets.Source source = new KnownDatasets.Source("toy", null, null,
                List.of(new KnownDatasets.DataFile("a.gz", "00".repeat(32), "11".repeat(32))), null);
        Path out = tmp.resolve("out");
        IOException e = assertThrows(IOException.class, () -> fetcher().download(source, base, out));
        assertTrue(e.getMessage().contains("a.gz: SHA-256 is "), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + "00".repeat(32)), e.getMessage());
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "neither the file nor a partial download remains");
        }
    }

    @Test
    void httpErrorLeavesNoFile() throws Exception {
        KnownDatasets.Source source = new KnownDatasets.Source("toy", null, null,
                List.of(new KnownDatasets.DataFile("missing.gz", "00".repeat(32), null)), null);
        Path out = tmp.resolve("out");
        IOException e = assertThrows(IOException.class, () -> fetcher().download(source, base, out));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        try (var files = Files.list(out)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void realFashionMnistLabelsVerifyByContentEvenWhenRecompressed() throws Exception {
        Path installed = Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(installed));
        KnownDatasets.Source fashion = KnownDatasets.source("fashion-mnist").orElseThrow();
        KnownDatasets.DataFile labels = fashion.files().stream().filter(f -> f.name().equals("t10k-labels-idx1-ubyte.gz")).findFirst().orElseThrow();
        served.put(labels.name(), Files.readAllBytes(installed));
        KnownDatasets.Source one = new KnownDatasets.Source("fashion-mnist", null, null, List.of(labels), null);
        Path dir = fetcher().download(one, base, tmp.resolve("fm"));
        assertTrue(DataFetcher.verified(dir.resolve(labels.name()), labels));
    }

    @Test
    void installedFashionMnistMatchesTheHardCodedContentSums() throws Exception {
        Path installed = Path.of("/usr/share/datasets/fashion-mnist");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(installed));
        for (KnownDatasets.DataFile f : KnownDatasets.source("fashion-mnist").orElseThrow().files()) {
            assertEquals(f.contentSha256(), DataFetcher.contentSha256(installed.resolve(f.name())), f.name());
        }
    }
}
