package dev.kiln.server;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LimitsTest {

    @TempDir
    Path home;

    @Test
    void oversizedSpecsAndMessagesAreRejectedWithClearStatuses() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            ExperimentSpec base = Harness.synthetic("big", 1, 1, 5, 0, 5);
            ExperimentSpec big = base.toBuilder().setDescription("x".repeat(100_000)).build();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> alice.experiments().createRun(CreateRunRequest.newBuilder().setSpec(big).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("limit is 65536"), e.getStatus().getDescription());

            ExperimentSpec huge = base.toBuilder().setDescription("x".repeat(5 << 20)).build();
            e = assertThrows(StatusRuntimeException.class, () -> alice.experiments().createRun(CreateRunRequest.newBuilder().setSpec(huge).build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());

            Metadata fat = new Metadata();
            fat.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "p".repeat(16 << 10));
            e = assertThrows(StatusRuntimeException.class, () -> alice.experiments().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(fat))
                    .listRuns(ListRunsRequest.getDefaultInstance()));
            assertTrue(e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED || e.getStatus().getCode() == Status.Code.INTERNAL
                    || e.getStatus().getCode() == Status.Code.UNAVAILABLE, e.getStatus().toString());

            ExperimentSpec code = base.toBuilder().setOptimizer(dev.kiln.proto.v1.PluginRef.newBuilder().setName("com.evil.Optimizer")
                    .setParams(Struct.newBuilder().putFields("script", Value.newBuilder().setStringValue("rm -rf /").build()))).build();
            e = assertThrows(StatusRuntimeException.class, () -> alice.experiments().createRun(CreateRunRequest.newBuilder().setSpec(code).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("never by class name"), e.getStatus().getDescription());
            assertTrue(e.getStatus().getDescription().contains("data only"), e.getStatus().getDescription());
            assertEquals(0, alice.experiments().listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());
        }
    }

    @Test
    void aUserMayHoldOnlySoManyEventStreams() throws Exception {
        try (Harness h = new Harness(home, c -> c.streamsPerUser(2))) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            Run run = Harness.submit(alice, Harness.synthetic("streams", 1, 1, 5, 0, 5));
            List<java.util.Iterator<RunEvent>> open = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                var it = alice.experimentsStreaming(Duration.ofSeconds(20)).streamRunEvents(StreamRunEventsRequest.newBuilder().setName(run.getName()).build());
                it.next();
                open.add(it);
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> alice.experimentsStreaming(Duration.ofSeconds(5))
                    .streamRunEvents(StreamRunEventsRequest.newBuilder().setName(run.getName()).build()).next());
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        }
    }

    @Test
    void bindingBeyondLoopbackWithoutTlsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KilnServer.start(new KilnServer.Config().home(home).host("0.0.0.0").port(0)));
        assertTrue(e.getMessage().contains("--tls-cert"), e.getMessage());
    }

    /**
     * A watcher that reads one event every 20 ms while a run produces ~30 000: the server holds at most one page of
     * events for it (the rest wait in the database), and the watcher still gets every event in order.
     */
    @Test
    void aSlowWatcherDoesNotGrowServerMemory() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 1, new SyntheticExecutor());
            Run run = Harness.submit(alice, Harness.synthetic("flood", 1, 1, 15_000, 0, 5_000));
            AtomicReference<ClientCallStreamObserver<StreamRunEventsRequest>> call = new AtomicReference<>();
            AtomicLong received = new AtomicLong();
            AtomicLong lastSeq = new AtomicLong();
            CompletableFuture<Void> done = new CompletableFuture<>();
            EventPump.MAX_HELD.set(0);
            alice.experimentsAsync(Duration.ofSeconds(60)).streamRunEvents(StreamRunEventsRequest.newBuilder().setName(run.getName()).build(),
                    new ClientResponseObserver<StreamRunEventsRequest, RunEvent>() {
                        public void beforeStart(ClientCallStreamObserver<StreamRunEventsRequest> r) {
                            call.set(r);
                            r.disableAutoRequestWithInitial(1);
                        }

                        public void onNext(RunEvent e) {
                            if (e.getSequence() != lastSeq.get() + 1) {
                                done.completeExceptionally(new AssertionError("gap after " + lastSeq.get() + ": " + e.getSequence()));
                            }
                            lastSeq.set(e.getSequence());
                            received.incrementAndGet();
                        }

                        public void onError(Throwable t) {
                            done.completeExceptionally(t);
                        }

                        public void onCompleted() {
                            done.complete(null);
                        }
                    });
            // slow phase: one event per 20 ms for 3 s while the run finishes
            for (int i = 0; i < 150; i++) {
                call.get().request(1);
                Thread.sleep(20);
            }
            Harness.await(alice, run.getName(), Duration.ofSeconds(30), Run.State.SUCCEEDED);
            long during = received.get();
            System.out.printf("slow watcher: %d events read while the run wrote %d; server held at most %d%n",
                    during, h.server.store().run(run.getName().substring(5)).orElseThrow().lastSequence(), EventPump.MAX_HELD.get());
            assertTrue(during < 1000, "the watcher really was slow: " + during);
            assertTrue(EventPump.MAX_HELD.get() <= EventPump.PAGE, "held " + EventPump.MAX_HELD.get());
            // then it catches up and gets everything, in order
            call.get().request(Integer.MAX_VALUE);
            done.get(30, TimeUnit.SECONDS);
            assertEquals(h.server.store().run(run.getName().substring(5)).orElseThrow().lastSequence(), lastSeq.get());
        }
    }
}
