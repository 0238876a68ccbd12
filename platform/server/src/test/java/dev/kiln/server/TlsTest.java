package dev.kiln.server;

import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.Register;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.ServerMessage;
import dev.kiln.proto.v1.WorkerMessage;
import dev.kiln.proto.v1.WorkerServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS and mTLS round trips over real sockets, with self-signed certificates made in the test by the JDK's keytool:
 * a server certificate for 127.0.0.1, a worker certificate the server trusts as its client CA, and a stranger's.
 */
class TlsTest {

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    record Pem(Path cert, Path key) {
    }

    static Pem server;
    static Pem worker;
    static Pem stranger;

    /** A self-signed RSA certificate and its PKCS#8 key as PEM files, made with keytool. */
    static Pem selfSigned(String name, String san) throws Exception {
        Path store = certs.resolve(name + ".p12");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=" + name,
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        if (san != null) {
            cmd.addAll(List.of("-ext", "san=" + san));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
        Path cert = Files.writeString(certs.resolve(name + ".pem"), "-----BEGIN CERTIFICATE-----\n"
                + b64.encodeToString(ks.getCertificate(name).getEncoded()) + "\n-----END CERTIFICATE-----\n");
        PrivateKey k = (PrivateKey) ks.getKey(name, "changeit".toCharArray());
        Path key = Files.writeString(certs.resolve(name + ".key"), "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(k.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return new Pem(cert, key);
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        server = selfSigned("kiln-server", "ip:127.0.0.1,dns:localhost");
        worker = selfSigned("kiln-worker", null);
        stranger = selfSigned("stranger", null);
    }

    private Harness tlsServer(boolean mtls) throws Exception {
        return new Harness(dir.resolve("home"), c -> c.tls(server.cert(), server.key(), mtls ? worker.cert() : null));
    }

    private static Worker worker(Harness h, KilnClient c, String id) {
        Worker w = new Worker(c.channel(), c.credentials(), new SyntheticExecutor(), Worker.Options.of(id, h.home.resolve("work-" + id))).start();
        h.closeables.add(w);
        return w;
    }

    private KilnClient client(Harness h, String token, Path ca, Pem cert) throws Exception {
        KilnClient c = KilnClient.connect(h.target(), token, ca, cert == null ? null : cert.cert(), cert == null ? null : cert.key());
        h.closeables.add(c);
        return c;
    }

    /** How the server ends a worker stream that registers over this client. */
    private static Status connectStatus(KilnClient c) throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamObserver<WorkerMessage> requests = WorkerServiceGrpc.newStub(c.channel()).withCallCredentials(c.credentials())
                .withDeadlineAfter(10, TimeUnit.SECONDS).connect(new StreamObserver<>() {
                    public void onNext(ServerMessage m) {
                        ended.complete(new AssertionError("server answered " + m));
                    }

                    public void onError(Throwable t) {
                        ended.complete(t);
                    }

                    public void onCompleted() {
                        ended.complete(new AssertionError("completed"));
                    }
                });
        requests.onNext(WorkerMessage.newBuilder().setRegister(Register.newBuilder().setWorkerId("raw")).build());
        return Status.fromThrowable(ended.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aTlsServerServesATlsClientAndRefusesPlaintext() throws Exception {
        try (Harness h = tlsServer(false)) {
            KilnClient tls = client(h, h.adminToken, server.cert(), null);
            assertEquals(0, tls.experiments().listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());

            KilnClient plain = client(h, h.adminToken, null, null); // loopback without a CA: plaintext
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> plain.experiments().listRuns(ListRunsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());

            KilnClient untrusting = client(h, h.adminToken, worker.cert(), null); // trusts another certificate
            assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
                    () -> untrusting.experiments().listRuns(ListRunsRequest.getDefaultInstance())).getStatus().getCode());
        }
    }

    @Test
    void withAClientCaAWorkerWithItsCertificateRunsAndOneWithoutIsRefused() throws Exception {
        try (Harness h = tlsServer(true)) {
            String workerToken = h.user("tls-worker", Role.WORKER);

            // no client certificate: the TLS connection is made, the worker stream is refused with the fix
            KilnClient bare = client(h, workerToken, server.cert(), null);
            Status s = connectStatus(bare);
            assertEquals(Status.Code.UNAUTHENTICATED, s.getCode(), s.toString());
            assertTrue(s.getDescription().contains("--client-cert CERT.pem --client-key KEY.pem"), s.getDescription());
            assertFalse(worker(h, bare, "bare").awaitRegistered(Duration.ofSeconds(1)), "a Worker without a certificate never registers");

            // a certificate the client CA did not sign is not offered for it (nor accepted): no worker stream either
            KilnClient strange = client(h, workerToken, server.cert(), stranger);
            assertEquals(Status.Code.UNAUTHENTICATED, connectStatus(strange).getCode());

            // users still connect with TLS and a token alone; the worker with its certificate registers and runs
            KilnClient user = client(h, h.adminToken, server.cert(), null);
            KilnClient mtls = client(h, workerToken, server.cert(), worker);
            assertTrue(worker(h, mtls, "mtls").awaitRegistered(Duration.ofSeconds(10)), "the mTLS worker registers");
            Run r = Harness.submit(user, Harness.synthetic("over-mtls", 7, 1, 10, 0, 5));
            assertEquals(Run.State.SUCCEEDED, Harness.await(user, r.getName(), Duration.ofSeconds(20), Run.State.SUCCEEDED).getState());
        }
    }

    @Test
    void beyondLoopbackTheServerNeedsTlsAndSaysSo() throws Exception {
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> KilnServer.start(new KilnServer.Config().home(dir.resolve("a")).host("0.0.0.0").port(0)));
        assertEquals("binding to 0.0.0.0 exposes the server beyond this machine; that needs TLS: pass --tls-cert CERT.pem --tls-key KEY.pem "
                + "(or bind to 127.0.0.1)", plain.getMessage());
        IllegalArgumentException caOnly = assertThrows(IllegalArgumentException.class,
                () -> KilnServer.start(new KilnServer.Config().home(dir.resolve("b")).tls(null, null, worker.cert()).port(0)));
        assertEquals("--client-ca needs TLS: pass --tls-cert CERT.pem --tls-key KEY.pem as well", caOnly.getMessage());
        try (KilnServer s = KilnServer.start(new KilnServer.Config().home(dir.resolve("c")).host("0.0.0.0").port(0)
                .tls(server.cert(), server.key(), null))) {
            assertTrue(s.port() > 0, "with TLS it binds beyond loopback");
        }
    }
}
