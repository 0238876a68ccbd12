package dev.kiln.server;

import dev.kiln.proto.v1.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker deletes a run's local directory once the server acknowledged its completion, unless told to keep it. */
class WorkerCleanupTest {

    @TempDir
    Path dir;

    private static Worker worker(Harness h, String id, boolean keep) throws Exception {
        KilnClient c = h.client(h.user("worker-" + UUID.randomUUID().toString().substring(0, 6), Role.WORKER));
        Worker w = new Worker(c.channel(), c.credentials(), new SyntheticExecutor(),
                Worker.Options.of(id, h.home.resolve("work-" + id)).withKeepRunDirs(keep)).start();
        h.closeables.add(w);
        assertTrue(w.awaitRegistered(Duration.ofSeconds(10)));
        return w;
    }

    private static void awaitIdle(Worker w) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (w.active() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }

    @Test
    void aCompletedRunsDirectoryIsDeletedUnlessKept() throws Exception {
        try (Harness h = new Harness(dir.resolve("home"))) {
            KilnClient c = h.client(h.adminToken);
            Worker deleting = worker(h, "deleting", false);
            Run r1 = Harness.submit(c, Harness.synthetic("clean", 1, 1, 20, 0, 5));
            Harness.await(c, r1.getName(), Duration.ofSeconds(20), Run.State.SUCCEEDED);
            awaitIdle(deleting);
            Path runDir = h.home.resolve("work-deleting").resolve(r1.getName().substring(5));
            assertFalse(Files.exists(runDir), "deleted after completion: " + runDir);
            deleting.close();

            Worker keeping = worker(h, "keeping", true);
            Run r2 = Harness.submit(c, Harness.synthetic("keep", 2, 1, 20, 0, 5));
            Harness.await(c, r2.getName(), Duration.ofSeconds(20), Run.State.SUCCEEDED);
            awaitIdle(keeping);
            Path kept = h.home.resolve("work-keeping").resolve(r2.getName().substring(5)).resolve("attempt-1");
            assertTrue(Files.exists(kept.resolve("summary.json")), "kept with --keep-run-dirs: " + kept);
        }
    }
}
