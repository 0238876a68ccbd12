package dev.kiln.server;

import dev.kiln.proto.v1.LogLine;
import dev.kiln.proto.v1.MetricPoint;
import dev.kiln.proto.v1.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StoreTest {

    @TempDir
    Path dir;

    private static MetricPoint p(long step, String key, double v) {
        return MetricPoint.newBuilder().setStep(step).setKey(key).setValue(v).build();
    }

    /** The contract every backend meets. */
    static void behaves(Store s) {
        assertEquals(Database.MIGRATIONS.size(), s.schemaVersion());
        s.addUser("alice", Role.USER, Tokens.sha256("t"));
        assertThrows(IllegalArgumentException.class, () -> s.addUser("alice", Role.USER, Tokens.sha256("u")));
        assertEquals("alice", s.userByTokenHash(Tokens.sha256("t")).orElseThrow().name());

        Store.Created c = s.createRun("alice", "r1", Harness.synthetic("st", 1, 1, 5, 0, 5), 0);
        assertTrue(c.created());
        assertFalse(s.createRun("alice", "r1", Harness.synthetic("st", 1, 1, 5, 0, 5), 0).created());
        String id = c.run().id();
        assertEquals(Store.BatchResult.FENCED, s.appendBatch(id, 1, 1, List.of(p(1, "loss", 1)), List.of(), List.of()), "not leased yet");
        Store.RunRow leased = s.lease(id, "w1").orElseThrow();
        assertEquals(1, leased.attempt());
        assertTrue(s.lease(id, "w2").isEmpty(), "a leased run cannot be leased again");

        assertEquals(Store.BatchResult.STORED, s.appendBatch(id, 1, 1, List.of(p(1, "loss", 1), p(1, "acc", .5)), List.of(LogLine.newBuilder().setText("hi").build()), List.of()));
        assertEquals(Store.BatchResult.DUPLICATE, s.appendBatch(id, 1, 1, List.of(p(1, "loss", 1)), List.of(), List.of()), "a re-sent batch");
        assertEquals(Store.BatchResult.STORED, s.appendBatch(id, 1, 2, List.of(p(1, "loss", 9), p(2, "loss", 2)), List.of(), List.of()));
        assertEquals(List.of(new Store.Point(1, 1, "acc", .5), new Store.Point(1, 1, "loss", 1), new Store.Point(1, 2, "loss", 2)), s.points(id),
                "(run, attempt, step, key) is stored once; the first value wins");
        assertEquals(2, s.highWaterMark(id, 1));
        long events = s.events(id, 0, 1000).size();
        assertEquals(1 + 1 + 2 + 1 + 1, events, "QUEUED, RUNNING, 2 points + log, then 1 new point");

        assertTrue(s.releaseLease(id, 1, "worker lost"));
        assertEquals("QUEUED", s.run(id).orElseThrow().state());
        assertEquals(Store.BatchResult.FENCED, s.appendBatch(id, 1, 3, List.of(p(3, "loss", 3)), List.of(), List.of()), "attempt 1 is fenced off");
        assertEquals(2, s.lease(id, "w2").orElseThrow().attempt());
        assertFalse(s.complete(id, 1, Run.State.SUCCEEDED, ""), "a stale attempt cannot complete the run");
        assertTrue(s.complete(id, 2, Run.State.SUCCEEDED, ""));
        assertEquals("SUCCEEDED", s.run(id).orElseThrow().state());
    }

    @Test
    void sqliteStoreKeepsItsPromisesAndSurvivesReopening() {
        Database db = Database.sqlite(dir.resolve("kiln.db"));
        String id;
        try (Store s = Store.open(db)) {
            behaves(s);
            id = s.listRuns(null, null, null, 0, 10).get(0).id();
        }
        try (Store s = Store.open(db)) {
            assertEquals(Database.MIGRATIONS.size(), s.schemaVersion(), "migrations run once");
            assertEquals("SUCCEEDED", s.run(id).orElseThrow().state());
            assertEquals(3, s.points(id).size());
        }
    }

    @Test
    void dbUrlsAreParsedAndUnsupportedOnesExplained() {
        Database pg = Database.parse("postgresql://kiln:s3cret@db.lab:5433/kiln", dir);
        assertEquals(Database.Dialect.POSTGRESQL, pg.dialect());
        assertEquals("jdbc:postgresql://db.lab:5433/kiln", pg.jdbcUrl());
        assertEquals("kiln", pg.properties().getProperty("user"));
        assertFalse(pg.display().contains("s3cret"), "passwords never reach messages");
        assertEquals(Database.Dialect.SQLITE, Database.parse(null, dir).dialect());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Database.parse("mysql://x/y", dir)).getMessage().contains("postgresql://"));
    }

    /**
     * Runs the same contract against a real PostgreSQL started for this test (initdb + pg_ctl as an unprivileged
     * user, on a free loopback port). Skipped when PostgreSQL binaries are not installed or cannot be started here.
     */
    @Test
    void postgresqlStoreKeepsTheSamePromises() throws Exception {
        Path bin = Path.of("/usr/lib/postgresql/15/bin");
        Assumptions.assumeTrue(Files.isExecutable(bin.resolve("initdb")), "PostgreSQL 15 binaries not installed; skipped");
        try (LocalPostgres pg = LocalPostgres.start(bin, dir.resolve("pg"))) {
            Assumptions.assumeTrue(pg != null, "could not start a local PostgreSQL here; skipped");
            try (Store s = Store.open(Database.parse(pg.url(), dir))) {
                behaves(s);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
