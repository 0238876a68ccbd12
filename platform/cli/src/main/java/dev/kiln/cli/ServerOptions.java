package dev.kiln.cli;

import dev.kiln.server.KilnClient;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code --server HOST:PORT --token T [--ca CERT]}, defaulting to {@code $KILN_SERVER}, {@code $KILN_TOKEN}. */
final class ServerOptions {

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Kiln server (default: $KILN_SERVER, else 127.0.0.1:7878).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token (default: $KILN_TOKEN, else $KILN_HOME/admin-token when it is readable).")
    String token;

    @Option(names = "--ca", paramLabel = "CERT.pem", description = "CA certificate to trust for a TLS server.")
    Path ca;

    @Option(names = "--client-cert", paramLabel = "CERT.pem", description = "Client certificate for mTLS (workers of a server started with --client-ca).")
    Path clientCert;

    @Option(names = "--client-key", paramLabel = "KEY.pem", description = "The client certificate's PKCS#8 private key.")
    Path clientKey;

    KilnClient connect() throws IOException {
        String target = server != null ? server : env("KILN_SERVER", "127.0.0.1:7878");
        String t = token != null ? token : System.getenv("KILN_TOKEN");
        if (t == null) {
            Path admin = dev.kiln.server.KilnServer.defaultHome().resolve("admin-token");
            if (java.nio.file.Files.isReadable(admin)) {
                t = java.nio.file.Files.readString(admin).trim();
            }
        }
        return KilnClient.connect(target, t, ca, clientCert, clientKey);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
