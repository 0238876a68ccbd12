package dev.kiln.server;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.proto.v1.Artifact;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.LogLine;
import dev.kiln.proto.v1.MetricPoint;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.SampleImage;
import dev.kiln.proto.v1.StateChange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server's durable state over JDBC: users, runs and their transitions, events with per-run sequence numbers,
 * metric points deduplicated by (run, attempt, step, key) with per-attempt high-water marks, artifacts, plugins.
 * Every method is one transaction and returns after the commit: callers acknowledge only what this returned.
 *
 * <p>One connection, one writer at a time (SQLite has a single writer anyway); methods are thread-safe.
 */
public final class Store implements AutoCloseable {

    /** Terminal states, as stored. */
    static final List<String> TERMINAL = List.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final Database db;
    private final Connection c;
    private final ReentrantLock lock = new ReentrantLock();

    private Store(Database db, Connection c) {
        this.db = db;
        this.c = c;
    }

    /** Opens (creating if needed) and migrates the database. */
    public static Store open(Database db) {
        try {
            Connection c = db.connect();
            Store s = new Store(db, c);
            s.migrate();
            return s;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the database " + db.display() + ": " + e.getMessage(), e);
        }
    }

    public Database database() {
        return db;
    }

    /** The schema version after migrating. */
    public int schemaVersion() {
        return tx(() -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                return r.next() ? r.getInt(1) : 0;
            }
        });
    }

    private void migrate() throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, applied_ms BIGINT NOT NULL)");
            c.commit();
            int current;
            try (ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                r.next();
                current = r.getInt(1);
            }
            if (current > Database.MIGRATIONS.size()) {
                throw new SQLException("database schema version " + current + " is newer than this kiln (" + Database.MIGRATIONS.size()
                        + "); upgrade kiln");
            }
            for (int v = current + 1; v <= Database.MIGRATIONS.size(); v++) {
                for (String sql : Database.MIGRATIONS.get(v - 1).replace("%BLOB%", db.dialect().blob).split(";")) {
                    if (!sql.isBlank()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO schema_version (version, applied_ms) VALUES (?, ?)")) {
                    p.setInt(1, v);
                    p.setLong(2, System.currentTimeMillis());
                    p.executeUpdate();
                }
                c.commit();
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- users

    public record User(String name, Role role) {
    }

    public void addUser(String name, Role role, String tokenSha256) {
        tx(() -> {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM users WHERE name = ?")) {
                q.setString(1, name);
                try (ResultSet r = q.executeQuery()) {
                    if (r.next()) {
                        throw new IllegalArgumentException("user " + name + " exists already");
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO users (name, token_sha256, role, created_ms) VALUES (?, ?, ?, ?)")) {
                p.setString(1, name);
                p.setString(2, tokenSha256);
                p.setString(3, role.name());
                p.setLong(4, System.currentTimeMillis());
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Replaces a user's token (the old one stops working at once). */
    public void setToken(String name, String tokenSha256) {
        tx(() -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE users SET token_sha256 = ? WHERE name = ?")) {
                p.setString(1, tokenSha256);
                p.setString(2, name);
                if (p.executeUpdate() != 1) {
                    throw new IllegalArgumentException("no user " + name);
                }
            }
            return null;
        });
    }

    public Optional<User> user(String name) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT name, role FROM users WHERE name = ?")) {
                p.setString(1, name);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new User(r.getString(1), Role.valueOf(r.getString(2)))) : Optional.<User>empty();
                }
            }
        });
    }

    public Optional<User> userByTokenHash(String sha256) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT name, role FROM users WHERE token_sha256 = ?")) {
                p.setString(1, sha256);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new User(r.getString(1), Role.valueOf(r.getString(2)))) : Optional.<User>empty();
                }
            }
        });
    }

    // ---------------------------------------------------------------- runs

    /** A run as stored. */
    public record RunRow(String id, long seq, String owner, String requestId, ExperimentSpec spec, String state, int priority,
                         int attempt, String worker, long createdMs, long updatedMs, String error, long lastSequence,
                         String checkpoint, long resumeStep) {

        public boolean terminal() {
            return TERMINAL.contains(state);
        }

        public Run toProto(int queuePosition) {
            return Run.newBuilder().setName("runs/" + id).setOwner(owner).setSpec(spec).setState(Run.State.valueOf(state))
                    .setPriority(priority).setQueuePosition(queuePosition).setAttempt(attempt).setWorker(worker == null ? "" : worker)
                    .setCreateTimeMs(createdMs).setUpdateTimeMs(updatedMs).setError(error == null ? "" : error)
                    .setLastSequence(lastSequence).setCheckpoint(checkpoint == null ? "" : checkpoint)
                    .setRequestId(requestId == null ? "" : requestId).build();
        }
    }

    /** The outcome of {@link #createRun}: the run, and whether this call created it (false: an idempotent retry). */
    public record Created(RunRow run, boolean created) {
    }

    private static final String RUN_COLUMNS = "id, seq, owner, request_id, spec, state, priority, attempt, worker, created_ms, "
            + "updated_ms, error, last_sequence, checkpoint, resume_step";

    private static RunRow runRow(ResultSet r) throws SQLException {
        try {
            return new RunRow(r.getString(1), r.getLong(2), r.getString(3), r.getString(4), ExperimentSpec.parseFrom(r.getBytes(5)),
                    r.getString(6), r.getInt(7), r.getInt(8), r.getString(9), r.getLong(10), r.getLong(11), r.getString(12),
                    r.getLong(13), r.getString(14), r.getLong(15));
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("stored spec of run " + r.getString(1) + " is corrupt", e);
        }
    }

    /** Creates a QUEUED run, or returns the run created earlier by the same owner with the same request id. */
    public Created createRun(String owner, String requestId, ExperimentSpec spec, int priority) {
        return tx(() -> {
            if (requestId != null && !requestId.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs WHERE owner = ? AND request_id = ?")) {
                    p.setString(1, owner);
                    p.setString(2, requestId);
                    try (ResultSet r = p.executeQuery()) {
                        if (r.next()) {
                            return new Created(runRow(r), false);
                        }
                    }
                }
            }
            long seq;
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(MAX(seq), 0) + 1 FROM runs")) {
                r.next();
                seq = r.getLong(1);
            }
            String id = spec.getName() + "-" + seq;
            long now = System.currentTimeMillis();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO runs (" + RUN_COLUMNS + ") VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, 0, NULL, ?, ?, NULL, 0, NULL, 0)")) {
                p.setString(1, id);
                p.setLong(2, seq);
                p.setString(3, owner);
                p.setString(4, requestId == null || requestId.isEmpty() ? null : requestId);
                p.setBytes(5, spec.toByteArray());
                p.setInt(6, priority);
                p.setLong(7, now);
                p.setLong(8, now);
                p.executeUpdate();
            }
            appendEvents(id, 0, List.of(RunEvent.newBuilder().setStateChange(StateChange.newBuilder().setState(Run.State.QUEUED)
                    .setReason("submitted by " + owner))));
            return new Created(runInTx(id).orElseThrow(), true);
        });
    }

    public Optional<RunRow> run(String id) {
        return tx(() -> runInTx(id));
    }

    private Optional<RunRow> runInTx(String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(runRow(r)) : Optional.empty();
            }
        }
    }

    /** A page of runs, newest first, after the run with sequence {@code beforeSeq} (0: from the newest). */
    public List<RunRow> listRuns(String owner, String state, String name, long beforeSeq, int limit) {
        return tx(() -> {
            StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + " FROM runs WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            if (owner != null) {
                sql.append(" AND owner = ?");
                args.add(owner);
            }
            if (state != null) {
                sql.append(" AND state = ?");
                args.add(state);
            }
            if (name != null) {
                sql.append(" AND (id = ? OR id LIKE ?)");
                args.add(name);
                args.add(name.replace("%", "").replace("_", "\\_") + "-%");
            }
            if (beforeSeq > 0) {
                sql.append(" AND seq < ?");
                args.add(beforeSeq);
            }
            sql.append(" ORDER BY seq DESC LIMIT ?");
            args.add(limit);
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    p.setObject(i + 1, args.get(i));
                }
                List<RunRow> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(runRow(r));
                    }
                }
                return out;
            }
        });
    }

    /** Runs in the given states, oldest first. */
    public List<RunRow> runsIn(String... states) {
        return tx(() -> {
            String in = String.join(", ", java.util.Collections.nCopies(states.length, "?"));
            try (PreparedStatement p = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs WHERE state IN (" + in + ") ORDER BY seq")) {
                for (int i = 0; i < states.length; i++) {
                    p.setString(i + 1, states[i]);
                }
                List<RunRow> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(runRow(r));
                    }
                }
                return out;
            }
        });
    }

    /** Number of queued runs of an owner (for the per-user queue limit). */
    public int queuedCount(String owner) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM runs WHERE owner = ? AND state = 'QUEUED'")) {
                p.setString(1, owner);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getInt(1);
                }
            }
        });
    }

    /** QUEUED → RUNNING with the next attempt on {@code worker}; empty if the run was not queued any more. */
    public Optional<RunRow> lease(String id, String worker) {
        return tx(() -> {
            long now = System.currentTimeMillis();
            int n;
            try (PreparedStatement p = c.prepareStatement("UPDATE runs SET state = 'RUNNING', attempt = attempt + 1, worker = ?, updated_ms = ? WHERE id = ? AND state = 'QUEUED'")) {
                p.setString(1, worker);
                p.setLong(2, now);
                p.setString(3, id);
                n = p.executeUpdate();
            }
            if (n == 0) {
                return Optional.<RunRow>empty();
            }
            RunRow r = runInTx(id).orElseThrow();
            appendEvents(id, r.attempt(), List.of(RunEvent.newBuilder().setStateChange(StateChange.newBuilder().setState(Run.State.RUNNING)
                    .setAttempt(r.attempt()).setWorker(worker).setResumeStep(r.resumeStep())
                    .setReason(r.resumeStep() > 0 ? "attempt " + r.attempt() + " resumes after step " + r.resumeStep() : "attempt " + r.attempt()))));
            return Optional.of(runInTx(id).orElseThrow());
        });
    }

    /**
     * Ends the lease of {@code attempt}: RUNNING → QUEUED (to resume from its checkpoint), CANCELLING → CANCELLED.
     * False when the attempt is not the run's current one (fenced) or the run is not leased.
     */
    public boolean releaseLease(String id, int attempt, String reason) {
        return tx(() -> {
            Optional<RunRow> row = runInTx(id);
            if (row.isEmpty() || row.get().attempt() != attempt || !List.of("RUNNING", "CANCELLING").contains(row.get().state())) {
                return false;
            }
            String next = row.get().state().equals("CANCELLING") ? "CANCELLED" : "QUEUED";
            transition(id, attempt, next, reason);
            return true;
        });
    }

    /** The current attempt ends in a terminal state; false when fenced (another attempt, or already terminal). */
    public boolean complete(String id, int attempt, Run.State state, String error) {
        if (!TERMINAL.contains(state.name())) {
            throw new IllegalArgumentException("a completion must be SUCCEEDED, FAILED or CANCELLED, got " + state);
        }
        return tx(() -> {
            Optional<RunRow> row = runInTx(id);
            if (row.isEmpty() || row.get().attempt() != attempt || !List.of("RUNNING", "CANCELLING").contains(row.get().state())) {
                return false;
            }
            Run.State s = row.get().state().equals("CANCELLING") && state == Run.State.FAILED ? Run.State.CANCELLED : state;
            transition(id, attempt, s.name(), error);
            return true;
        });
    }

    /**
     * Cancels: QUEUED → CANCELLED at once, RUNNING → CANCELLING (the worker is told); terminal runs stay as they are.
     * Returns the run after the change.
     */
    public RunRow cancel(String id, String by) {
        return tx(() -> {
            RunRow row = runInTx(id).orElseThrow(() -> new IllegalArgumentException("no run " + id));
            switch (row.state()) {
                case "QUEUED" -> transition(id, row.attempt(), "CANCELLED", "cancelled by " + by);
                case "RUNNING" -> transition(id, row.attempt(), "CANCELLING", "cancel requested by " + by);
                default -> {
                    return row;
                }
            }
            return runInTx(id).orElseThrow();
        });
    }

    private void transition(String id, int attempt, String state, String reason) throws SQLException {
        boolean clearsWorker = !state.equals("CANCELLING");
        try (PreparedStatement p = c.prepareStatement("UPDATE runs SET state = ?, updated_ms = ?, error = ?"
                + (clearsWorker ? ", worker = NULL" : "") + " WHERE id = ?")) {
            p.setString(1, state);
            p.setLong(2, System.currentTimeMillis());
            p.setString(3, reason == null || reason.isEmpty() ? null : reason);
            p.setString(4, id);
            p.executeUpdate();
        }
        appendEvents(id, attempt, List.of(RunEvent.newBuilder().setStateChange(StateChange.newBuilder()
                .setState(Run.State.valueOf(state)).setAttempt(attempt).setReason(reason == null ? "" : reason))));
    }

    // ---------------------------------------------------------------- events and metrics

    /** What happened to a batch from a worker. */
    public enum BatchResult { STORED, DUPLICATE, FENCED }

    /**
     * Stores a batch of an attempt: metric points new for (run, attempt, step, key) become events; a batch at or below
     * the attempt's high-water mark is a re-send and changes nothing. Fenced unless {@code attempt} is current and leased.
     */
    public BatchResult appendBatch(String id, int attempt, long batch, List<MetricPoint> metrics, List<LogLine> logs, List<SampleImage> images) {
        return tx(() -> {
            BatchResult check = checkBatch(id, attempt, batch);
            if (check != BatchResult.STORED) {
                return check;
            }
            List<RunEvent.Builder> events = new ArrayList<>(metrics.size() + logs.size() + images.size());
            String insert = "INSERT INTO metrics (run_id, attempt, step, mkey, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
            try (PreparedStatement p = c.prepareStatement(insert)) {
                for (MetricPoint m : metrics) {
                    p.setString(1, id);
                    p.setInt(2, attempt);
                    p.setLong(3, m.getStep());
                    p.setString(4, m.getKey());
                    p.setDouble(5, m.getValue());
                    if (p.executeUpdate() == 1) {
                        events.add(RunEvent.newBuilder().setMetric(m));
                    }
                }
            }
            logs.forEach(l -> events.add(RunEvent.newBuilder().setLog(l)));
            images.forEach(i -> events.add(RunEvent.newBuilder().setImage(i)));
            appendEvents(id, attempt, events);
            setHighWater(id, attempt, batch);
            return BatchResult.STORED;
        });
    }

    private BatchResult checkBatch(String id, int attempt, long batch) throws SQLException {
        Optional<RunRow> row = runInTx(id);
        if (row.isEmpty() || row.get().attempt() != attempt || !List.of("RUNNING", "CANCELLING").contains(row.get().state())) {
            return BatchResult.FENCED;
        }
        return batch <= highWater(id, attempt) ? BatchResult.DUPLICATE : BatchResult.STORED;
    }

    /** The last batch of an attempt that was stored (0: none). */
    public long highWaterMark(String id, int attempt) {
        return tx(() -> highWater(id, attempt));
    }

    private long highWater(String id, int attempt) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT batch FROM high_water WHERE run_id = ? AND attempt = ?")) {
            p.setString(1, id);
            p.setInt(2, attempt);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }

    private void setHighWater(String id, int attempt, long batch) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE high_water SET batch = ? WHERE run_id = ? AND attempt = ?")) {
            p.setLong(1, batch);
            p.setString(2, id);
            p.setInt(3, attempt);
            if (p.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO high_water (run_id, attempt, batch) VALUES (?, ?, ?)")) {
            p.setString(1, id);
            p.setInt(2, attempt);
            p.setLong(3, batch);
            p.executeUpdate();
        }
    }

    private void appendEvents(String id, int attempt, List<RunEvent.Builder> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        long last;
        try (PreparedStatement p = c.prepareStatement("SELECT last_sequence FROM runs WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                last = r.getLong(1);
            }
        }
        long now = System.currentTimeMillis();
        try (PreparedStatement p = c.prepareStatement("INSERT INTO events (run_id, sequence, attempt, payload) VALUES (?, ?, ?, ?)")) {
            for (RunEvent.Builder e : events) {
                last++;
                RunEvent ev = e.setSequence(last).setRun("runs/" + id).setAttempt(attempt).setTimeMs(now).build();
                p.setString(1, id);
                p.setLong(2, last);
                p.setInt(3, attempt);
                p.setBytes(4, ev.toByteArray());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE runs SET last_sequence = ? WHERE id = ?")) {
            p.setLong(1, last);
            p.setString(2, id);
            p.executeUpdate();
        }
    }

    /** Up to {@code limit} events with sequence greater than {@code after}, in order. */
    public List<RunEvent> events(String id, long after, int limit) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT payload FROM events WHERE run_id = ? AND sequence > ? ORDER BY sequence LIMIT ?")) {
                p.setString(1, id);
                p.setLong(2, after);
                p.setInt(3, limit);
                List<RunEvent> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        try {
                            out.add(RunEvent.parseFrom(r.getBytes(1)));
                        } catch (InvalidProtocolBufferException e) {
                            throw new SQLException("stored event of run " + id + " is corrupt", e);
                        }
                    }
                }
                return out;
            }
        });
    }

    /** A stored metric point. */
    public record Point(int attempt, long step, String key, double value) {
    }

    /** Every stored point of a run, by attempt, step and key. */
    public List<Point> points(String id) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT attempt, step, mkey, value FROM metrics WHERE run_id = ? ORDER BY attempt, step, mkey")) {
                p.setString(1, id);
                List<Point> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new Point(r.getInt(1), r.getLong(2), r.getString(3), r.getDouble(4)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * A run's metric series: for every (step, key), the value from the latest attempt that reported it (an attempt
     * resumed from a checkpoint recomputes the steps after it).
     */
    public Map<String, Double> series(String id) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Point p : points(id)) {
            out.put(p.step() + "/" + p.key(), p.value());
        }
        return out;
    }

    // ---------------------------------------------------------------- artifacts

    /** Records a stored artifact (the content is already on disk) as an event; a checkpoint moves the resume point. */
    public BatchResult addArtifact(String id, int attempt, long batch, Artifact artifact, String artifactId) {
        return tx(() -> {
            BatchResult check = checkBatch(id, attempt, batch);
            if (check != BatchResult.STORED) {
                return check;
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO artifacts (id, run_id, attempt, kind, file_name, step, size_bytes, sha256, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, artifactId);
                p.setString(2, id);
                p.setInt(3, attempt);
                p.setString(4, artifact.getKind());
                p.setString(5, artifact.getFileName());
                p.setLong(6, artifact.getStep());
                p.setLong(7, artifact.getSizeBytes());
                p.setString(8, artifact.getSha256());
                p.setLong(9, System.currentTimeMillis());
                p.executeUpdate();
            }
            if (artifact.getKind().equals("checkpoint")) {
                try (PreparedStatement p = c.prepareStatement("UPDATE runs SET checkpoint = ?, resume_step = ? WHERE id = ? AND resume_step <= ?")) {
                    p.setString(1, artifact.getName());
                    p.setLong(2, artifact.getStep());
                    p.setString(3, id);
                    p.setLong(4, artifact.getStep());
                    p.executeUpdate();
                }
            }
            appendEvents(id, attempt, List.of(RunEvent.newBuilder().setArtifact(artifact)));
            setHighWater(id, attempt, batch);
            return BatchResult.STORED;
        });
    }

    public Optional<Artifact> artifact(String runId, String artifactId) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT id, run_id, attempt, kind, file_name, step, size_bytes, sha256 FROM artifacts WHERE run_id = ? AND id = ?")) {
                p.setString(1, runId);
                p.setString(2, artifactId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(artifactRow(r)) : Optional.<Artifact>empty();
                }
            }
        });
    }

    public List<Artifact> artifacts(String runId) {
        return tx(() -> {
            try (PreparedStatement p = c.prepareStatement("SELECT id, run_id, attempt, kind, file_name, step, size_bytes, sha256 FROM artifacts WHERE run_id = ? ORDER BY created_ms, id")) {
                p.setString(1, runId);
                List<Artifact> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(artifactRow(r));
                    }
                }
                return out;
            }
        });
    }

    private static Artifact artifactRow(ResultSet r) throws SQLException {
        return Artifact.newBuilder().setName("runs/" + r.getString(2) + "/artifacts/" + r.getString(1)).setAttempt(r.getInt(3))
                .setKind(r.getString(4)).setFileName(r.getString(5)).setStep(r.getLong(6)).setSizeBytes(r.getLong(7))
                .setSha256(r.getString(8)).build();
    }

    // ---------------------------------------------------------------- plugins

    public record PluginRow(String fileName, String sha256, long sizeBytes, long installedMs, String installedBy) {
    }

    public void putPlugin(PluginRow row) {
        tx(() -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM plugins WHERE file_name = ?")) {
                d.setString(1, row.fileName());
                d.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO plugins (file_name, sha256, size_bytes, installed_ms, installed_by) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, row.fileName());
                p.setString(2, row.sha256());
                p.setLong(3, row.sizeBytes());
                p.setLong(4, row.installedMs());
                p.setString(5, row.installedBy());
                p.executeUpdate();
            }
            return null;
        });
    }

    public Optional<PluginRow> plugin(String fileName) {
        return plugins().stream().filter(p -> p.fileName().equals(fileName)).findFirst();
    }

    public List<PluginRow> plugins() {
        return tx(() -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT file_name, sha256, size_bytes, installed_ms, installed_by FROM plugins ORDER BY file_name")) {
                List<PluginRow> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new PluginRow(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getString(5)));
                }
                return out;
            }
        });
    }

    public boolean removePlugin(String fileName) {
        return tx(() -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM plugins WHERE file_name = ?")) {
                d.setString(1, fileName);
                return d.executeUpdate() == 1;
            }
        });
    }

    // ---------------------------------------------------------------- transactions

    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T tx(Work<T> work) {
        lock.lock();
        try {
            boolean outer = c.getAutoCommit() || lock.getHoldCount() == 1;
            c.setAutoCommit(false);
            try {
                T result = work.run();
                if (outer) {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (outer) {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("database " + db.display() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A database failure; the caller answers UNAVAILABLE and acknowledges nothing. */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
