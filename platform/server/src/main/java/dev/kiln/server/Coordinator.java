package dev.kiln.server;

import dev.kiln.proto.v1.Ack;
import dev.kiln.proto.v1.Artifact;
import dev.kiln.proto.v1.ArtifactUpload;
import dev.kiln.proto.v1.Cancel;
import dev.kiln.proto.v1.Capabilities;
import dev.kiln.proto.v1.Completion;
import dev.kiln.proto.v1.Drain;
import dev.kiln.proto.v1.EventBatch;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.Fenced;
import dev.kiln.proto.v1.LeaseOffer;
import dev.kiln.proto.v1.Register;
import dev.kiln.proto.v1.Registered;
import dev.kiln.proto.v1.RunAttempt;
import dev.kiln.proto.v1.ServerMessage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Leases runs to connected workers: dispatches in {@link QueueOrder}, keeps a lease alive while its worker talks,
 * re-queues it when the worker goes quiet for the lease timeout (the next attempt resumes from the last checkpoint),
 * delivers cancels and forces them after a bound, and fences off messages of attempts that are not current.
 * Results are persisted through the {@link Store} before they are acknowledged.
 */
final class Coordinator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Coordinator.class.getName());
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /** Timing and fairness knobs. */
    record Settings(Duration leaseTimeout, Duration heartbeatInterval, Duration cancelTimeout, int userLimit, long maxArtifactBytes) {
        static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(10), 4, 2L << 30);
        }
    }

    private static final class Lease {
        final String worker;
        final int attempt;
        long deadline;
        long cancelDeadline;

        Lease(String worker, int attempt, long deadline) {
            this.worker = worker;
            this.attempt = attempt;
            this.deadline = deadline;
        }
    }

    private final Store store;
    private final EventHub hub;
    private final Path artifactDir;
    private final Settings settings;
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kiln-coordinator");
        t.setDaemon(true);
        return t;
    });

    Coordinator(Store store, EventHub hub, Path artifactDir, Settings settings) {
        this.store = store;
        this.hub = hub;
        this.artifactDir = artifactDir;
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    /** Adopts the leases the store says are held (after a restart their workers get one lease timeout to come back). */
    void start() {
        synchronized (this) {
            long deadline = System.nanoTime() + settings.leaseTimeout().toNanos();
            for (Store.RunRow r : store.runsIn("RUNNING", "CANCELLING")) {
                Lease l = new Lease(r.worker() == null ? "" : r.worker(), r.attempt(), deadline);
                if (r.state().equals("CANCELLING")) {
                    l.cancelDeadline = System.nanoTime() + settings.cancelTimeout().toNanos();
                }
                leases.put(r.id(), l);
            }
        }
        long period = Math.max(50, Math.min(500, settings.heartbeatInterval().toMillis() / 2));
        timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Re-evaluates the queue soon (after a submission). */
    void poke() {
        timer.execute(this::dispatchSafely);
    }

    private void tick() {
        try {
            expire();
            dispatch();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "coordinator tick failed: " + e.getMessage(), e);
        }
    }

    private void dispatchSafely() {
        try {
            dispatch();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dispatch failed: " + e.getMessage(), e);
        }
    }

    private synchronized void expire() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Lease>> it = leases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Lease> e = it.next();
            Lease l = e.getValue();
            String reason = null;
            if (l.cancelDeadline != 0 && now > l.cancelDeadline) {
                reason = "cancelled; worker " + l.worker + " did not confirm within " + settings.cancelTimeout().toSeconds() + " s";
            } else if (now > l.deadline) {
                reason = "worker " + l.worker + " stopped heartbeating (lease timeout " + settings.leaseTimeout().toMillis() + " ms)";
            }
            if (reason == null) {
                continue;
            }
            it.remove();
            store.releaseLease(e.getKey(), l.attempt, reason);
            Session s = sessions.get(l.worker);
            if (s != null) {
                s.runs.remove(e.getKey());
                s.send(ServerMessage.newBuilder().setFenced(Fenced.newBuilder().setAttempt(attempt(e.getKey(), l.attempt)).setReason(reason)).build());
            }
            LOG.info(() -> "runs/" + e.getKey() + " attempt " + l.attempt + ": " + "lease ended: " + e.getValue().worker);
            hub.publish(e.getKey());
        }
    }

    private synchronized void dispatch() {
        List<Session> free = new ArrayList<>();
        for (Session s : sessions.values()) {
            if (s.registered && !s.draining && s.runs.size() < s.slots) {
                free.add(s);
            }
        }
        if (free.isEmpty()) {
            return;
        }
        List<Store.RunRow> queued = store.runsIn("QUEUED");
        if (queued.isEmpty()) {
            return;
        }
        Map<String, Integer> active = activeCounts();
        List<QueueOrder.Entry> order = QueueOrder.order(entries(queued), active, settings.userLimit());
        int startable = QueueOrder.startable(order, active, settings.userLimit());
        Map<String, Store.RunRow> byId = new HashMap<>();
        queued.forEach(r -> byId.put(r.id(), r));
        for (int i = 0; i < startable && !free.isEmpty(); i++) {
            free.sort((a, b) -> Integer.compare(a.runs.size(), b.runs.size()));
            String id = order.get(i).id();
            Store.RunRow row = byId.get(id);
            Session s = free.stream().filter(f -> WorkerFit.lacks(row.spec(), f.capabilities) == null).findFirst().orElse(null);
            if (s == null) {
                continue; // no free worker can run it: it waits (GetRun says why), later runs may go ahead
            }
            var leased = store.lease(id, s.workerId);
            if (leased.isEmpty()) {
                continue;
            }
            Store.RunRow r = leased.get();
            leases.put(id, new Lease(s.workerId, r.attempt(), System.nanoTime() + settings.leaseTimeout().toNanos()));
            s.runs.add(id);
            s.send(ServerMessage.newBuilder().setLease(LeaseOffer.newBuilder().setAttempt(attempt(id, r.attempt())).setSpec(r.spec())
                    .setResumeCheckpoint(r.checkpoint() == null ? "" : r.checkpoint()).setResumeStep(r.resumeStep())).build());
            hub.publish(id);
            if (s.runs.size() >= s.slots) {
                free.remove(s);
            }
        }
    }

    /** Active (RUNNING or CANCELLING) runs per owner. */
    Map<String, Integer> activeCounts() {
        Map<String, Integer> active = new HashMap<>();
        for (Store.RunRow r : store.runsIn("RUNNING", "CANCELLING")) {
            active.merge(r.owner(), 1, Integer::sum);
        }
        return active;
    }

    static List<QueueOrder.Entry> entries(List<Store.RunRow> rows) {
        List<QueueOrder.Entry> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(new QueueOrder.Entry(r.id(), r.owner(), r.priority(), r.seq())));
        return out;
    }

    /** Queue positions (1-based) of every queued run. */
    Map<String, Integer> queuePositions() {
        List<QueueOrder.Entry> order = QueueOrder.order(entries(store.runsIn("QUEUED")), activeCounts(), settings.userLimit());
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            out.put(order.get(i).id(), i + 1);
        }
        return out;
    }

    /**
     * Why a queued run has no worker yet: no worker connected, none that can run it (and what each lacks), or all
     * capable ones busy.
     */
    synchronized String waitingReason(ExperimentSpec spec) {
        List<String> lacking = new ArrayList<>();
        int capable = 0;
        int capableFree = 0;
        for (Session s : sessions.values()) {
            if (!s.registered || s.draining) {
                continue;
            }
            String why = WorkerFit.lacks(spec, s.capabilities);
            if (why == null) {
                capable++;
                capableFree += s.runs.size() < s.slots ? 1 : 0;
            } else {
                lacking.add(s.workerId + " lacks " + why);
            }
        }
        if (capable == 0 && lacking.isEmpty()) {
            return "no worker is connected (start one with kiln worker)";
        }
        if (capable == 0) {
            lacking.sort(null);
            return "waiting for a capable worker: " + String.join("; ", lacking);
        }
        return capableFree == 0 ? "waiting for a free slot on " + capable + " capable worker" + (capable == 1 ? "" : "s")
                : "waiting for its turn in the queue";
    }

    /** Cancels a run; a leased one is told to stop and is forced CANCELLED after the cancel timeout. */
    Store.RunRow cancel(String id, String by) {
        Store.RunRow row = store.cancel(id, by);
        synchronized (this) {
            Lease l = leases.get(id);
            if (row.state().equals("CANCELLING") && l != null) {
                if (l.cancelDeadline == 0) {
                    l.cancelDeadline = System.nanoTime() + settings.cancelTimeout().toNanos();
                }
                Session s = sessions.get(l.worker);
                if (s != null) {
                    s.send(ServerMessage.newBuilder().setCancel(Cancel.newBuilder().setAttempt(attempt(id, l.attempt))
                            .setReason("cancelled by " + by)).build());
                }
            }
        }
        hub.publish(id);
        poke();
        return row;
    }

    /** Asks every worker to take no new leases (server shutdown). */
    synchronized void drainAll(String reason) {
        for (Session s : sessions.values()) {
            s.draining = true;
            s.send(ServerMessage.newBuilder().setDrain(Drain.newBuilder().setReason(reason)).build());
        }
    }

    private static RunAttempt attempt(String id, int attempt) {
        return RunAttempt.newBuilder().setRun("runs/" + id).setAttempt(attempt).build();
    }

    static String runId(RunAttempt a) {
        String run = a.getRun();
        if (!run.startsWith("runs/") || run.length() > 110) {
            throw Status.INVALID_ARGUMENT.withDescription("run must be runs/{run}, got '" + run + "'").asRuntimeException();
        }
        return run.substring("runs/".length());
    }

    // ---------------------------------------------------------------- worker sessions

    Session open(String workerPrincipal, StreamObserver<ServerMessage> out) {
        return new Session(workerPrincipal, out);
    }

    /** One worker's Connect stream. gRPC delivers its messages one at a time, in order. */
    final class Session {
        final String principal;
        private final StreamObserver<ServerMessage> out;
        String workerId;
        int slots;
        Capabilities capabilities = Capabilities.getDefaultInstance();
        boolean registered;
        boolean draining;
        final Set<String> runs = new LinkedHashSet<>();
        private final Map<String, Upload> uploads = new HashMap<>();
        private volatile boolean closed;

        Session(String principal, StreamObserver<ServerMessage> out) {
            this.principal = principal;
            this.out = out;
        }

        void send(ServerMessage m) {
            if (closed) {
                return;
            }
            synchronized (out) {
                try {
                    out.onNext(m);
                } catch (RuntimeException e) {
                    closed = true;
                }
            }
        }

        void register(Register r) {
            if (registered) {
                throw Status.FAILED_PRECONDITION.withDescription("register once, as the first message").asRuntimeException();
            }
            if (r.getWorkerId().isEmpty() || r.getWorkerId().length() > 200) {
                throw Status.INVALID_ARGUMENT.withDescription("worker_id: 1-200 characters required").asRuntimeException();
            }
            List<RunAttempt> adopted = new ArrayList<>();
            List<RunAttempt> fenced = new ArrayList<>();
            synchronized (Coordinator.this) {
                workerId = r.getWorkerId();
                slots = Math.max(1, Math.min(64, r.getCapabilities().getSlots()));
                capabilities = r.getCapabilities();
                Session old = sessions.put(workerId, this);
                if (old != null && old != this) {
                    old.closeQuietly("replaced by a new connection of the same worker");
                }
                long deadline = System.nanoTime() + settings.leaseTimeout().toNanos();
                for (RunAttempt a : r.getRunningList()) {
                    String id = runId(a);
                    Lease l = leases.get(id);
                    if (l != null && l.attempt == a.getAttempt() && l.worker.equals(workerId)) {
                        l.deadline = deadline;
                        runs.add(id);
                        adopted.add(a);
                    } else {
                        fenced.add(a);
                    }
                }
                for (Map.Entry<String, Lease> e : leases.entrySet()) {
                    if (e.getValue().worker.equals(workerId)) {
                        runs.add(e.getKey());
                    }
                }
                registered = true;
            }
            send(ServerMessage.newBuilder().setRegistered(Registered.newBuilder()
                    .setHeartbeatIntervalMs(settings.heartbeatInterval().toMillis()).addAllAdopted(adopted)).build());
            for (RunAttempt a : fenced) {
                send(fencedMessage(a, "lease lost while disconnected"));
            }
            synchronized (Coordinator.this) {
                for (String id : runs) {
                    Lease l = leases.get(id);
                    if (l != null && l.cancelDeadline != 0) {
                        send(ServerMessage.newBuilder().setCancel(Cancel.newBuilder().setAttempt(attempt(id, l.attempt))
                                .setReason("cancelled")).build());
                    }
                }
            }
            poke();
        }

        private ServerMessage fencedMessage(RunAttempt a, String reason) {
            return ServerMessage.newBuilder().setFenced(Fenced.newBuilder().setAttempt(a).setReason(reason)).build();
        }

        /** True (and the lease refreshed) if this worker holds {@code a}; otherwise tells it that it is fenced. */
        private boolean holds(RunAttempt a) {
            String id = runId(a);
            synchronized (Coordinator.this) {
                Lease l = leases.get(id);
                if (l != null && l.attempt == a.getAttempt() && l.worker.equals(workerId)) {
                    l.deadline = System.nanoTime() + settings.leaseTimeout().toNanos();
                    return true;
                }
            }
            send(fencedMessage(a, "attempt " + a.getAttempt() + " of " + a.getRun() + " is not leased to " + workerId));
            return false;
        }

        private void requireRegistered() {
            if (!registered) {
                throw Status.FAILED_PRECONDITION.withDescription("the first message must be a Register").asRuntimeException();
            }
        }

        void heartbeat(List<RunAttempt> running) {
            requireRegistered();
            running.forEach(this::holds);
        }

        void events(EventBatch b) {
            requireRegistered();
            if (!holds(b.getAttempt())) {
                return;
            }
            String id = runId(b.getAttempt());
            Store.BatchResult r = store.appendBatch(id, b.getAttempt().getAttempt(), b.getBatch(), b.getMetricsList(), b.getLogsList(), b.getImagesList());
            answer(b.getAttempt(), b.getBatch(), r, false);
        }

        private void answer(RunAttempt a, long batch, Store.BatchResult r, boolean completion) {
            if (r == Store.BatchResult.FENCED) {
                send(fencedMessage(a, "attempt " + a.getAttempt() + " of " + a.getRun() + " is no longer current"));
                return;
            }
            send(ServerMessage.newBuilder().setAck(Ack.newBuilder().setAttempt(a).setBatch(batch).setCompletion(completion)).build());
            if (r == Store.BatchResult.STORED) {
                hub.publish(runId(a));
            }
        }

        void upload(ArtifactUpload u) throws IOException {
            requireRegistered();
            if (!holds(u.getAttempt())) {
                return;
            }
            String id = runId(u.getAttempt());
            String key = id + "#" + u.getAttempt().getAttempt() + "#" + u.getBatch();
            Upload up = uploads.get(key);
            if (u.getOffset() == 0) {
                if (up != null) {
                    up.discard();
                }
                if (!FILE_NAME.matcher(u.getFileName()).matches() || u.getFileName().startsWith(".")) {
                    throw Status.INVALID_ARGUMENT.withDescription("file_name must match [A-Za-z0-9._-]+, got '" + u.getFileName() + "'").asRuntimeException();
                }
                if (!u.getKind().equals("checkpoint") && !u.getKind().equals("file")) {
                    throw Status.INVALID_ARGUMENT.withDescription("kind must be checkpoint or file, got '" + u.getKind() + "'").asRuntimeException();
                }
                up = new Upload(u);
                uploads.put(key, up);
            } else if (up == null || up.size != u.getOffset()) {
                throw Status.INVALID_ARGUMENT.withDescription("upload of " + u.getFileName() + " out of order at offset " + u.getOffset()
                        + " (expected " + (up == null ? 0 : up.size) + "); start again at 0").asRuntimeException();
            }
            up.append(u.getData().toByteArray());
            if (!u.getLast()) {
                return;
            }
            uploads.remove(key);
            String sha = HexFormat.of().formatHex(up.digest.digest());
            if (!sha.equals(u.getSha256())) {
                up.discard();
                throw Status.DATA_LOSS.withDescription("upload of " + u.getFileName() + ": SHA-256 " + sha + " does not match the declared "
                        + u.getSha256() + "; send it again").asRuntimeException();
            }
            String artifactId = u.getKind() + "-" + u.getAttempt().getAttempt() + "-" + u.getStep() + "-" + UUID.randomUUID().toString().substring(0, 8);
            Path dir = artifactDir.resolve(id);
            Files.createDirectories(dir);
            Path target = dir.resolve(artifactId);
            up.close();
            Files.move(up.file, target, StandardCopyOption.ATOMIC_MOVE);
            Artifact a = Artifact.newBuilder().setName("runs/" + id + "/artifacts/" + artifactId).setKind(u.getKind())
                    .setFileName(u.getFileName()).setSizeBytes(up.size).setSha256(sha).setAttempt(u.getAttempt().getAttempt())
                    .setStep(u.getStep()).build();
            Store.BatchResult r = store.addArtifact(id, u.getAttempt().getAttempt(), u.getBatch(), a, artifactId);
            if (r != Store.BatchResult.STORED) {
                Files.deleteIfExists(target);
            }
            answer(u.getAttempt(), u.getBatch(), r, false);
        }

        void complete(Completion c) {
            requireRegistered();
            String id = runId(c.getAttempt());
            int att = c.getAttempt().getAttempt();
            boolean stored = store.complete(id, att, c.getState(), c.getError());
            if (!stored) {
                var row = store.run(id);
                boolean repeat = row.isPresent() && row.get().attempt() == att && row.get().terminal();
                answer(c.getAttempt(), 0, repeat ? Store.BatchResult.DUPLICATE : Store.BatchResult.FENCED, true);
                return;
            }
            synchronized (Coordinator.this) {
                Lease l = leases.get(id);
                if (l != null && l.attempt == att) {
                    leases.remove(id);
                }
                runs.remove(id);
            }
            answer(c.getAttempt(), 0, Store.BatchResult.STORED, true);
            poke();
        }

        /** The stream ended; leases stay until they time out (the worker may reconnect and re-adopt them). */
        void closed() {
            closed = true;
            uploads.values().forEach(Upload::discard);
            uploads.clear();
            synchronized (Coordinator.this) {
                if (workerId != null && sessions.get(workerId) == this) {
                    sessions.remove(workerId);
                }
            }
        }

        void closeQuietly(String why) {
            closed();
            synchronized (out) {
                try {
                    out.onError(Status.ABORTED.withDescription(why).asRuntimeException());
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }
        }

        private final class Upload {
            final Path file;
            final java.nio.channels.FileChannel stream;
            final MessageDigest digest = Tokens.digest();
            long size;

            Upload(ArtifactUpload first) throws IOException {
                Path tmp = artifactDir.resolve("tmp");
                Files.createDirectories(tmp);
                file = Files.createTempFile(tmp, "upload-", ".part");
                stream = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE);
            }

            void append(byte[] data) throws IOException {
                size += data.length;
                if (size > settings.maxArtifactBytes()) {
                    discard();
                    throw Status.RESOURCE_EXHAUSTED.withDescription("artifact larger than " + settings.maxArtifactBytes() + " bytes").asRuntimeException();
                }
                digest.update(data);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    stream.write(b);
                }
            }

            void close() throws IOException {
                stream.force(true);
                stream.close();
            }

            void discard() {
                try {
                    stream.close();
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
