package dev.kiln.server;

import com.google.protobuf.ByteString;
import dev.kiln.proto.v1.CancelRunRequest;
import dev.kiln.proto.v1.ExperimentServiceGrpc;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.InstallPluginRequest;
import dev.kiln.proto.v1.ListPluginsRequest;
import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.Plugin;
import dev.kiln.proto.v1.Register;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.ServerMessage;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import dev.kiln.proto.v1.WorkerMessage;
import dev.kiln.proto.v1.WorkerServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthTest {

    @TempDir
    Path home;

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void firstStartWritesAnAdminTokenOnlyTheOwnerCanRead() throws Exception {
        try (Harness h = new Harness(home)) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(home.resolve("admin-token")));
            assertTrue(h.server.adminTokenNotice().contains(home.resolve("admin-token").toString()));
            assertTrue(h.server.store().userByTokenHash(Tokens.sha256(h.adminToken)).isPresent(), "only the hash is stored");
            assertFalse(Files.readString(home.resolve("kiln.db"), java.nio.charset.StandardCharsets.ISO_8859_1).contains(h.adminToken));
        }
        try (Harness again = new Harness(home)) {
            assertEquals(null, again.server.adminTokenNotice(), "later starts keep the admin token");
        }
    }

    @Test
    void callsWithoutOrWithAWrongTokenAreRejected() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient wrong = h.client(Tokens.generate());
            assertEquals(Status.Code.UNAUTHENTICATED, code(() -> wrong.experiments().listRuns(ListRunsRequest.getDefaultInstance())));
            KilnClient any = h.client("x");
            var bare = ExperimentServiceGrpc.newBlockingStub(any.channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> bare.listRuns(ListRunsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("--token"), e.getStatus().getDescription());
        }
    }

    @Test
    void usersNeitherSeeNorCancelOtherUsersRunsButAdminsDo() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            KilnClient bob = h.client(h.user("bob", Role.USER));
            KilnClient admin = h.client(h.adminToken);
            Run run = Harness.submit(alice, Harness.synthetic("mine", 1, 1, 5, 0, 5));
            GetRunRequest get = GetRunRequest.newBuilder().setName(run.getName()).build();
            assertEquals(Status.Code.PERMISSION_DENIED, code(() -> bob.experiments().getRun(get)));
            assertEquals(Status.Code.PERMISSION_DENIED, code(() -> bob.experiments().getRun(GetRunRequest.newBuilder().setName("runs/nope-1").build())),
                    "a missing run looks the same as someone else's");
            assertEquals(Status.Code.PERMISSION_DENIED, code(() -> bob.experiments().cancelRun(CancelRunRequest.newBuilder().setName(run.getName()).build())));
            assertEquals(Status.Code.PERMISSION_DENIED, code(() -> bob.experimentsStreaming(Duration.ofSeconds(5))
                    .streamRunEvents(StreamRunEventsRequest.newBuilder().setName(run.getName()).build()).hasNext()));
            assertEquals(Status.Code.PERMISSION_DENIED, code(() -> bob.experiments().listRuns(ListRunsRequest.newBuilder().setFilter("owner=alice").build())));
            assertEquals(0, bob.experiments().listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());
            assertEquals(Run.State.QUEUED, alice.experiments().getRun(get).getState());
            assertEquals(1, admin.experiments().listRuns(ListRunsRequest.newBuilder().setFilter("owner=alice").build()).getRunsCount());
            assertEquals(Run.State.CANCELLED, admin.experiments().cancelRun(CancelRunRequest.newBuilder().setName(run.getName()).build()).getState());
        }
    }

    @Test
    void onlyAdminsReachThePluginService() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            assertEquals(Status.Code.PERMISSION_DENIED, code(() -> alice.plugins().listPlugins(ListPluginsRequest.getDefaultInstance())));
            byte[] jar = bundle("demo.plugin");
            assertEquals(Status.Code.PERMISSION_DENIED, install(alice, "demo.jar", jar, Tokens.sha256(jar)).getStatus().getCode());

            KilnClient admin = h.client(h.adminToken);
            assertEquals(0, admin.plugins().listPlugins(ListPluginsRequest.getDefaultInstance()).getPluginsCount());
            assertEquals(Status.Code.DATA_LOSS, install(admin, "demo.jar", jar, "0".repeat(64)).getStatus().getCode(), "SHA-256 is checked");
            assertEquals(Status.Code.INVALID_ARGUMENT, install(admin, "../evil.jar", jar, Tokens.sha256(jar)).getStatus().getCode());
            byte[] notBundle = "PK not a jar".getBytes();
            assertEquals(Status.Code.INVALID_ARGUMENT, install(admin, "x.jar", notBundle, Tokens.sha256(notBundle)).getStatus().getCode());
            Plugin p = installOk(admin, "demo.jar", jar);
            assertEquals(Tokens.sha256(jar), p.getSha256());
            assertTrue(Files.exists(home.resolve("plugins/demo.jar")));
            assertEquals(1, admin.plugins().listPlugins(ListPluginsRequest.getDefaultInstance()).getPluginsCount());
            admin.plugins().removePlugin(dev.kiln.proto.v1.RemovePluginRequest.newBuilder().setName("plugins/demo.jar").build());
            assertFalse(Files.exists(home.resolve("plugins/demo.jar")));
        }
        try (Harness small = new Harness(home.resolve("small"), c -> c.maxPluginBytes(100))) {
            byte[] jar = bundle("big.plugin");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, install(small.client(small.adminToken), "big.jar", jar, Tokens.sha256(jar)).getStatus().getCode());
        }
    }

    @Test
    void usersCannotConnectAsWorkers() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            StreamObserver<WorkerMessage> req = WorkerServiceGrpc.newStub(alice.channel()).withCallCredentials(alice.credentials())
                    .withDeadlineAfter(5, TimeUnit.SECONDS).connect(new StreamObserver<>() {
                        public void onNext(ServerMessage m) { }

                        public void onError(Throwable t) {
                            ended.complete(t);
                        }

                        public void onCompleted() {
                            ended.complete(null);
                        }
                    });
            req.onNext(WorkerMessage.newBuilder().setRegister(Register.newBuilder().setWorkerId("sneaky")).build());
            assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(ended.get(5, TimeUnit.SECONDS)).getCode());
        }
    }

    static byte[] bundle(String bsn) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        m.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(b, m)) {
            j.putNextEntry(new java.util.jar.JarEntry("README"));
            j.write("hello".getBytes());
        }
        return b.toByteArray();
    }

    static StatusRuntimeException install(KilnClient c, String file, byte[] data, String sha) throws Exception {
        CompletableFuture<Plugin> done = new CompletableFuture<>();
        var req = c.pluginsAsync(Duration.ofSeconds(10)).installPlugin(new StreamObserver<>() {
            public void onNext(Plugin p) {
                done.complete(p);
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onCompleted() { }
        });
        req.onNext(InstallPluginRequest.newBuilder().setFileName(file).setSha256(sha).setSizeBytes(data.length).setData(ByteString.copyFrom(data)).build());
        req.onCompleted();
        try {
            done.get(10, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return (StatusRuntimeException) e.getCause();
        }
    }

    static Plugin installOk(KilnClient c, String file, byte[] data) throws Exception {
        CompletableFuture<Plugin> done = new CompletableFuture<>();
        var req = c.pluginsAsync(Duration.ofSeconds(10)).installPlugin(new StreamObserver<>() {
            public void onNext(Plugin p) {
                done.complete(p);
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onCompleted() { }
        });
        req.onNext(InstallPluginRequest.newBuilder().setFileName(file).setSha256(Tokens.sha256(data)).setSizeBytes(data.length).setData(ByteString.copyFrom(data)).build());
        req.onCompleted();
        return done.get(10, TimeUnit.SECONDS);
    }
}
