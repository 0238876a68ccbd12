package dev.kiln.server;

import dev.kiln.proto.v1.Artifact;
import dev.kiln.proto.v1.ArtifactChunk;
import dev.kiln.proto.v1.CancelRunRequest;
import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.GetArtifactRequest;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.ListArtifactsRequest;
import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.ListRunsResponse;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExperimentServiceTest {

    @TempDir
    Path home;

    @Test
    void submittedRunIsLeasedStreamsMetricsAndItsArtifactsCanBeFetched() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 1, new SyntheticExecutor());
            ExperimentSpec spec = Harness.synthetic("e2e", 7, 2, 20, 0, 10);
            Run run = Harness.submit(alice, spec);
            assertEquals("alice", run.getOwner());
            List<RunEvent> events = Harness.watch(alice, run.getName(), 0, Duration.ofSeconds(30));

            long metrics = events.stream().filter(RunEvent::hasMetric).count();
            assertEquals(2 * 40 + 2, metrics, "train_loss and w_norm per step, val_loss per epoch");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).getSequence(), "sequence numbers are dense from 1");
            }
            Run done = alice.experiments().getRun(GetRunRequest.newBuilder().setName(run.getName()).build());
            assertEquals(Run.State.SUCCEEDED, done.getState(), done.getError());
            assertEquals(1, done.getAttempt());
            assertEquals(Harness.undisturbed(spec, home.resolve("ref")), h.server.store().series(run.getName().substring(5)));

            List<Artifact> artifacts = alice.experiments().listArtifacts(ListArtifactsRequest.newBuilder().setParent(run.getName()).build()).getArtifactsList();
            assertTrue(artifacts.stream().anyMatch(a -> a.getKind().equals("checkpoint") && a.getStep() == 30), artifacts.toString());
            Artifact summary = artifacts.stream().filter(a -> a.getFileName().equals("summary.json")).findFirst().orElseThrow();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Iterator<ArtifactChunk> it = alice.experimentsStreaming(Duration.ofSeconds(10)).getArtifact(GetArtifactRequest.newBuilder().setName(summary.getName()).build());
            while (it.hasNext()) {
                it.next().getData().writeTo(bytes);
            }
            assertEquals(summary.getSha256(), Tokens.sha256(bytes.toByteArray()));
            assertTrue(bytes.toString().contains("completed"));
        }
    }

    @Test
    void createRunWithTheSameRequestIdReturnsTheSameRun() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            ExperimentSpec spec = Harness.synthetic("idem", 1, 1, 5, 0, 5);
            CreateRunRequest req = CreateRunRequest.newBuilder().setSpec(spec).setRequestId("req-1").build();
            Run a = alice.experiments().createRun(req);
            Run b = alice.experiments().createRun(req);
            assertEquals(a.getName(), b.getName());
            assertEquals(1, alice.experiments().listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> alice.experiments().createRun(
                    req.toBuilder().setSpec(spec.toBuilder().setSeed(2)).build()));
            assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
            // another user's request id is their own
            KilnClient bob = h.client(h.user("bob", Role.USER));
            assertNotEquals(a.getName(), bob.experiments().createRun(req).getName());
        }
    }

    @Test
    void queuedRunsReportTheirPositionAndListPagesThroughAll() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            Run first = Harness.submit(alice, Harness.synthetic("q", 1, 1, 5, 0, 5));
            Run second = Harness.submit(alice, Harness.synthetic("q", 2, 1, 5, 0, 5));
            assertEquals(1, first.getQueuePosition());
            assertEquals(2, second.getQueuePosition());
            for (int i = 0; i < 5; i++) {
                Harness.submit(alice, Harness.synthetic("page", i, 1, 5, 0, 5));
            }
            Set<String> seen = new HashSet<>();
            String token = "";
            int pages = 0;
            do {
                ListRunsResponse r = alice.experiments().listRuns(ListRunsRequest.newBuilder().setPageSize(3).setPageToken(token).build());
                r.getRunsList().forEach(x -> assertTrue(seen.add(x.getName())));
                token = r.getNextPageToken();
                pages++;
            } while (!token.isEmpty());
            assertEquals(7, seen.size());
            assertEquals(3, pages);
            assertEquals(5, alice.experiments().listRuns(ListRunsRequest.newBuilder().setFilter("name=page state=QUEUED").build()).getRunsCount());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> alice.experiments().listRuns(ListRunsRequest.newBuilder().setFilter("colour=red").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        }
    }

    @Test
    void cancelReachesTheWorkerAndStopsTheRunWithinTwoSeconds() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 1, new SyntheticExecutor());
            Run run = Harness.submit(alice, Harness.synthetic("long", 3, 1, 100_000, 5, 50));
            Harness.await(alice, run.getName(), Duration.ofSeconds(10), Run.State.RUNNING);
            long t0 = System.nanoTime();
            alice.experiments().cancelRun(CancelRunRequest.newBuilder().setName(run.getName()).build());
            Run r = Harness.await(alice, run.getName(), Duration.ofSeconds(2), Run.State.CANCELLED);
            System.out.printf("cancel -> CANCELLED in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            assertEquals(1, r.getAttempt());
            // cancelling a terminal run changes nothing
            assertEquals(Run.State.CANCELLED, alice.experiments().cancelRun(CancelRunRequest.newBuilder().setName(run.getName()).build()).getState());
        }
    }

    @Test
    void aRunWhoseWorkerDiesIsRequeuedAndResumesFromItsCheckpointWithTheSameSeries() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            Worker w1 = h.worker("w1", 1, new SyntheticExecutor());
            ExperimentSpec spec = Harness.synthetic("resume", 11, 3, 40, 10, 10);
            Run run = Harness.submit(alice, spec);
            String id = run.getName().substring(5);
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (h.server.store().run(id).orElseThrow().resumeStep() < 30 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            w1.close(); // the worker vanishes mid-run
            h.worker("w2", 1, new SyntheticExecutor());
            Run done = Harness.await(alice, run.getName(), Duration.ofSeconds(30), Run.State.SUCCEEDED, Run.State.FAILED);
            assertEquals(Run.State.SUCCEEDED, done.getState(), done.getError());
            assertEquals(2, done.getAttempt());
            assertEquals(Harness.undisturbed(spec, home.resolve("ref")), h.server.store().series(id));
            List<RunEvent> events = Harness.watch(alice, run.getName(), 0, Duration.ofSeconds(10));
            assertTrue(events.stream().anyMatch(e -> e.hasStateChange() && e.getStateChange().getAttempt() == 2
                    && e.getStateChange().getResumeStep() >= 30), "attempt 2 resumes from a checkpoint");
        }
    }

    @Test
    void aWatcherResumesFromItsLastSequenceNumber() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 1, new SyntheticExecutor());
            Run run = Harness.submit(alice, Harness.synthetic("cursor", 5, 1, 30, 0, 10));
            List<RunEvent> all = Harness.watch(alice, run.getName(), 0, Duration.ofSeconds(30));
            List<RunEvent> tail = Harness.watch(alice, run.getName(), 40, Duration.ofSeconds(30));
            assertEquals(all.subList(40, all.size()), tail);
        }
    }

    @Test
    void aRunFailsClearlyWhenNoWorkerCanRunItsTrainer() throws Exception {
        try (Harness h = new Harness(home)) {
            KilnClient alice = h.client(h.user("alice", Role.USER));
            h.worker("w1", 1, new SyntheticExecutor());
            ExperimentSpec spec = Harness.synthetic("other", 1, 1, 5, 0, 5);
            spec = spec.toBuilder().setTrainer(spec.getTrainer().toBuilder().setName("supervised")).build();
            Run run = Harness.submit(alice, spec);
            Run r = Harness.await(alice, run.getName(), Duration.ofSeconds(10), Run.State.FAILED);
            assertTrue(r.getError().contains("supervised"), r.getError());
        }
    }

    static Map<String, Double> seriesOf(Harness h, Run run) {
        return h.server.store().series(run.getName().substring(5));
    }
}
