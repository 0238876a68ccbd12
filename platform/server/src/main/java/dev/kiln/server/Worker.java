package dev.kiln.server;

import com.google.protobuf.ByteString;
import dev.kiln.proto.v1.ArtifactChunk;
import dev.kiln.proto.v1.ArtifactUpload;
import dev.kiln.proto.v1.Capabilities;
import dev.kiln.proto.v1.Completion;
import dev.kiln.proto.v1.EventBatch;
import dev.kiln.proto.v1.ExperimentServiceGrpc;
import dev.kiln.proto.v1.GetArtifactRequest;
import dev.kiln.proto.v1.Heartbeat;
import dev.kiln.proto.v1.LeaseOffer;
import dev.kiln.proto.v1.LogLine;
import dev.kiln.proto.v1.MetricPoint;
import dev.kiln.proto.v1.Register;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunAttempt;
import dev.kiln.proto.v1.SampleImage;
import dev.kiln.proto.v1.ServerMessage;
import dev.kiln.proto.v1.WorkerMessage;
import dev.kiln.proto.v1.WorkerServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A worker: one {@code WorkerService.Connect} stream to the server, reconnecting with back-off. Runs leased attempts
 * through a {@link RunExecutor}, batches their metrics, uploads checkpoints, and keeps everything not yet
 * acknowledged to re-send it (in order) after a reconnect; the server's high-water marks drop the repeats. Attempts
 * the server fences off are stopped and their results dropped.
 */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    static final int MAX_POINTS_PER_BATCH = 512;
    static final int MAX_UNACKED = 64;
    static final int UPLOAD_CHUNK = 1 << 20;

    /**
     * How a worker presents itself and paces itself.
     *
     * @param keepRunDirs keep each attempt's directory under {@code workDir} after the server acknowledged its completion
     *                    (or fenced it off); by default they are deleted, since everything worth keeping was uploaded
     */
    public record Options(String workerId, int slots, Capabilities capabilities, Path workDir, Duration flushInterval,
                          Duration connectDeadline, Duration artifactDeadline, boolean keepRunDirs) {
        public Options(String workerId, int slots, Capabilities capabilities, Path workDir, Duration flushInterval,
                       Duration connectDeadline, Duration artifactDeadline) {
            this(workerId, slots, capabilities, workDir, flushInterval, connectDeadline, artifactDeadline, false);
        }

        public static Options of(String workerId, Path workDir) {
            return new Options(workerId, 1, Capabilities.newBuilder().setBackend("cpu").build(), workDir, Duration.ofMillis(50),
                    Duration.ofHours(24), Duration.ofMinutes(10));
        }

        public Options withSlots(int n) {
            return new Options(workerId, n, capabilities, workDir, flushInterval, connectDeadline, artifactDeadline, keepRunDirs);
        }

        public Options withKeepRunDirs(boolean keep) {
            return new Options(workerId, slots, capabilities, workDir, flushInterval, connectDeadline, artifactDeadline, keep);
        }
    }

    private final Channel channel;
    private final CallCredentials credentials;
    private final RunExecutor executor;
    private final Options options;
    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private volatile ClientCallStreamObserver<WorkerMessage> stream;
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile boolean draining;
    private volatile long heartbeatMs = 1000;
    private final Thread connector;
    private final Thread ticker;
    private final AtomicLong reconnects = new AtomicLong();
    private final CountDownLatch firstRegistered = new CountDownLatch(1);

    public Worker(Channel channel, CallCredentials credentials, RunExecutor executor, Options options) {
        this.channel = channel;
        this.credentials = credentials;
        this.executor = executor;
        this.options = options;
        this.connector = new Thread(this::connectLoop, "kiln-worker-" + options.workerId());
        this.connector.setDaemon(true);
        this.ticker = new Thread(this::tickLoop, "kiln-worker-tick-" + options.workerId());
        this.ticker.setDaemon(true);
    }

    public Worker start() {
        connector.start();
        ticker.start();
        return this;
    }

    /** Waits until the server accepted the registration once. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return firstRegistered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String id() {
        return options.workerId();
    }

    /** Attempts running or not yet fully acknowledged here. */
    public int active() {
        return attempts.size();
    }

    public long reconnects() {
        return reconnects.get();
    }

    /** True when the server asked this worker to drain. */
    public boolean draining() {
        return draining;
    }

    @Override
    public void close() {
        closed = true;
        attempts.values().forEach(a -> a.stop = true);
        ClientCallStreamObserver<WorkerMessage> s = stream;
        if (s != null) {
            s.cancel("worker closing", null);
        }
        connector.interrupt();
        ticker.interrupt();
    }

    // ---------------------------------------------------------------- connection

    private void connectLoop() {
        long backoff = 100;
        while (!closed) {
            CountDownLatch ended = new CountDownLatch(1);
            try {
                open(ended);
                ended.await();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "connect failed", e);
            }
            synced = false;
            stream = null;
            if (closed) {
                return;
            }
            reconnects.incrementAndGet();
            try {
                Thread.sleep(backoff + (long) (Math.random() * backoff / 2));
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(2000, backoff * 2);
            if (synced) {
                backoff = 100;
            }
        }
    }

    private void open(CountDownLatch ended) {
        WorkerServiceGrpc.WorkerServiceStub stub = WorkerServiceGrpc.newStub(channel).withCallCredentials(credentials)
                .withDeadlineAfter(options.connectDeadline().toMillis(), TimeUnit.MILLISECONDS);
        stub.connect(new ClientResponseObserver<WorkerMessage, ServerMessage>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WorkerMessage> requests) {
                stream = requests;
            }

            @Override
            public void onNext(ServerMessage m) {
                try {
                    handle(m);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "worker failed to handle " + m.getKindCase(), e);
                }
            }

            @Override
            public void onError(Throwable t) {
                LOG.fine(() -> options.workerId() + ": stream ended: " + t);
                ended.countDown();
            }

            @Override
            public void onCompleted() {
                ended.countDown();
            }
        });
        Register.Builder r = Register.newBuilder().setWorkerId(options.workerId())
                .setCapabilities(options.capabilities().toBuilder().setSlots(options.slots()));
        for (Attempt a : attempts.values()) {
            if (!a.fenced) {
                r.addRunning(a.id);
            }
        }
        rawSend(WorkerMessage.newBuilder().setRegister(r).build());
    }

    private void rawSend(WorkerMessage m) {
        synchronized (sendLock) {
            ClientCallStreamObserver<WorkerMessage> s = stream;
            if (s == null) {
                return;
            }
            try {
                s.onNext(m);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "send failed", e);
            }
        }
    }

    private void handle(ServerMessage m) {
        switch (m.getKindCase()) {
            case REGISTERED -> {
                heartbeatMs = Math.max(50, m.getRegistered().getHeartbeatIntervalMs());
                Set<String> adopted = new HashSet<>();
                m.getRegistered().getAdoptedList().forEach(a -> adopted.add(a.getRun() + "#" + a.getAttempt()));
                synchronized (sendLock) {
                    for (Attempt a : attempts.values()) {
                        if (!adopted.contains(a.key())) {
                            a.fence("not adopted after reconnect");
                        } else {
                            a.resend();
                        }
                    }
                    synced = true;
                }
                firstRegistered.countDown();
            }
            case LEASE -> lease(m.getLease());
            case CANCEL -> {
                Attempt a = attempts.get(m.getCancel().getAttempt().getRun());
                if (a != null && a.id.getAttempt() == m.getCancel().getAttempt().getAttempt()) {
                    a.stop = true;
                }
            }
            case FENCED -> {
                Attempt a = attempts.get(m.getFenced().getAttempt().getRun());
                if (a != null && a.id.getAttempt() == m.getFenced().getAttempt().getAttempt()) {
                    a.fence(m.getFenced().getReason());
                }
            }
            case ACK -> {
                Attempt a = attempts.get(m.getAck().getAttempt().getRun());
                if (a != null && a.id.getAttempt() == m.getAck().getAttempt().getAttempt()) {
                    a.acked(m.getAck().getBatch(), m.getAck().getCompletion());
                }
            }
            case DRAIN -> draining = true;
            default -> {
            }
        }
    }

    private void tickLoop() {
        try {
            long lastBeat = 0;
            while (!closed) {
                Thread.sleep(options.flushInterval().toMillis());
                for (Attempt a : attempts.values()) {
                    a.flush();
                }
                long now = System.currentTimeMillis();
                if (synced && now - lastBeat >= heartbeatMs) {
                    lastBeat = now;
                    Heartbeat.Builder h = Heartbeat.newBuilder();
                    attempts.values().stream().filter(a -> !a.fenced).forEach(a -> h.addRunning(a.id));
                    rawSend(WorkerMessage.newBuilder().setHeartbeat(h).build());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- attempts

    private void lease(LeaseOffer offer) {
        Attempt a = new Attempt(offer);
        Attempt old = attempts.put(offer.getAttempt().getRun(), a);
        if (old != null) {
            old.fence("superseded by attempt " + offer.getAttempt().getAttempt());
        }
        Thread t = new Thread(a::run, "kiln-run-" + offer.getAttempt().getRun().substring(5) + "-" + offer.getAttempt().getAttempt());
        t.setDaemon(true);
        t.start();
    }

    /** Something sent under the attempt's batch counter, kept until acknowledged. */
    private record Outgoing(long batch, EventBatch events, ArtifactUpload upload, Path file) {
    }

    private final class Attempt implements RunExecutor.Events {
        final LeaseOffer offer;
        final RunAttempt id;
        volatile boolean stop;
        volatile boolean fenced;
        private long nextBatch = 1;
        private final List<MetricPoint> points = new ArrayList<>();
        private final List<LogLine> logs = new ArrayList<>();
        private final List<SampleImage> images = new ArrayList<>();
        private final ArrayDeque<Outgoing> unacked = new ArrayDeque<>();
        private Completion completion;
        private Path lastStoredCheckpoint;

        Attempt(LeaseOffer offer) {
            this.offer = offer;
            this.id = offer.getAttempt();
        }

        String key() {
            return id.getRun() + "#" + id.getAttempt();
        }

        /** {@code workDir/{run}/attempt-{n}}: everything this attempt writes locally. */
        Path dir() {
            return options.workDir().resolve(id.getRun().substring(5)).resolve("attempt-" + id.getAttempt());
        }

        /** Deletes this attempt's directory (and the run's, when it was the last), unless told to keep them. */
        void cleanUp() {
            if (options.keepRunDirs()) {
                return;
            }
            Path dir = dir();
            try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                try (java.util.stream.Stream<Path> left = Files.list(dir.getParent())) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(dir.getParent());
                    }
                }
            } catch (java.nio.file.NoSuchFileException ignored) {
                // already gone
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.log(Level.WARNING, options.workerId() + ": cannot delete " + dir + ": " + e.getMessage());
            }
        }

        void run() {
            Path dir = dir();
            RunExecutor.Result result;
            try {
                Files.createDirectories(dir);
                String why = executor.unsupported(offer.getSpec());
                if (why != null) {
                    result = new RunExecutor.Result(RunExecutor.Outcome.FAILED, options.workerId() + ": " + why);
                } else {
                    Path resume = offer.getResumeCheckpoint().isEmpty() ? null : download(offer.getResumeCheckpoint(), dir);
                    result = executor.execute(new RunExecutor.Task(id.getRun(), id.getAttempt(), offer.getSpec(), dir, resume,
                            offer.getResumeStep(), () -> stop || fenced || closed), this);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                result = new RunExecutor.Result(RunExecutor.Outcome.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
            }
            if (fenced) {
                cleanUp(); // its results are discarded; the next attempt resumes from the server's checkpoint
                return;
            }
            if (closed) {
                return;
            }
            flush();
            Run.State state = switch (result.outcome()) {
                case SUCCEEDED -> Run.State.SUCCEEDED;
                case FAILED -> Run.State.FAILED;
                case CANCELLED -> Run.State.CANCELLED;
            };
            synchronized (sendLock) {
                completion = Completion.newBuilder().setAttempt(id).setState(state).setError(result.error() == null ? "" : result.error()).build();
                if (synced) {
                    rawSend(WorkerMessage.newBuilder().setCompletion(completion).build());
                }
            }
        }

        private Path download(String artifact, Path dir) throws IOException {
            ExperimentServiceGrpc.ExperimentServiceBlockingStub stub = ExperimentServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(credentials).withDeadlineAfter(options.artifactDeadline().toMillis(), TimeUnit.MILLISECONDS);
            Path target = dir.resolve("resume-" + artifact.substring(artifact.lastIndexOf('/') + 1));
            MessageDigest d = Tokens.digest();
            String expected = null;
            try (OutputStream out = Files.newOutputStream(target)) {
                Iterator<ArtifactChunk> it = stub.getArtifact(GetArtifactRequest.newBuilder().setName(artifact).build());
                while (it.hasNext()) {
                    ArtifactChunk c = it.next();
                    if (c.hasArtifact()) {
                        expected = c.getArtifact().getSha256();
                    }
                    c.getData().writeTo(out);
                    d.update(c.getData().asReadOnlyByteBuffer());
                }
            }
            String sha = HexFormat.of().formatHex(d.digest());
            if (!sha.equals(expected)) {
                throw new IOException("checkpoint " + artifact + " arrived with SHA-256 " + sha + ", expected " + expected);
            }
            return target;
        }

        void fence(String reason) {
            LOG.fine(() -> options.workerId() + ": " + key() + " fenced: " + reason);
            fenced = true;
            stop = true;
            synchronized (this) {
                unacked.clear();
                points.clear();
                notifyAll();
            }
            attempts.remove(id.getRun(), this);
        }

        synchronized void acked(long batch, boolean done) {
            while (!unacked.isEmpty() && unacked.peek().batch() <= batch) {
                Outgoing o = unacked.poll();
                if (o.file() != null && o.upload().getKind().equals("checkpoint")) {
                    // the server holds it now; the one before it is not needed here any more
                    if (lastStoredCheckpoint != null && !lastStoredCheckpoint.equals(o.file())) {
                        try {
                            Files.deleteIfExists(lastStoredCheckpoint);
                        } catch (IOException ignored) {
                            // best effort
                        }
                    }
                    lastStoredCheckpoint = o.file();
                }
            }
            notifyAll();
            if (done) {
                cleanUp(); // the server holds everything of the attempt now
                attempts.remove(id.getRun(), this);
            }
        }

        /** Re-sends everything unacknowledged, in order (after a reconnect); the caller holds sendLock. */
        void resend() {
            List<Outgoing> copy;
            synchronized (this) {
                copy = new ArrayList<>(unacked);
            }
            copy.forEach(this::transmit);
            if (completion != null) {
                rawSend(WorkerMessage.newBuilder().setCompletion(completion).build());
            }
        }

        private void transmit(Outgoing o) {
            if (o.events() != null) {
                rawSend(WorkerMessage.newBuilder().setEvents(o.events()).build());
                return;
            }
            try (InputStream in = Files.newInputStream(o.file())) {
                long offset = 0;
                byte[] buf = new byte[UPLOAD_CHUNK];
                while (true) {
                    int n = in.readNBytes(buf, 0, buf.length);
                    boolean last = n < buf.length;
                    ArtifactUpload.Builder u = o.upload().toBuilder().setOffset(offset).setData(ByteString.copyFrom(buf, 0, n)).setLast(last);
                    if (!last) {
                        u.clearSha256();
                    }
                    rawSend(WorkerMessage.newBuilder().setArtifact(u).build());
                    offset += n;
                    if (last) {
                        return;
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot read " + o.file() + " for upload", e);
            }
        }

        private void enqueue(Outgoing o) {
            synchronized (sendLock) {
                synchronized (this) {
                    if (fenced) {
                        return;
                    }
                    unacked.add(o);
                }
                if (synced) {
                    transmit(o);
                }
            }
        }

        /** Turns pending points, logs and images into one batch (numbered and queued atomically, so batches go out in order). */
        void flush() {
            synchronized (sendLock) {
                EventBatch b;
                synchronized (this) {
                    if (fenced || (points.isEmpty() && logs.isEmpty() && images.isEmpty())) {
                        return;
                    }
                    b = EventBatch.newBuilder().setAttempt(id).setBatch(nextBatch++).addAllMetrics(points).addAllLogs(logs).addAllImages(images).build();
                    points.clear();
                    logs.clear();
                    images.clear();
                }
                enqueue(new Outgoing(b.getBatch(), b, null, null));
            }
        }

        /** Back-pressure: the run waits while too much is unacknowledged. */
        private void awaitWindow() {
            synchronized (this) {
                while (unacked.size() >= MAX_UNACKED && !fenced && !closed) {
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        @Override
        public void metric(long step, int epoch, String key, double value) {
            boolean full;
            synchronized (this) {
                points.add(MetricPoint.newBuilder().setStep(step).setEpoch(epoch).setKey(key).setValue(value).build());
                full = points.size() >= MAX_POINTS_PER_BATCH;
            }
            if (full) {
                awaitWindow();
                flush();
            }
        }

        @Override
        public synchronized void log(String line) {
            logs.add(LogLine.newBuilder().setText(line).build());
        }

        @Override
        public void image(String title, long step, byte[] png) {
            synchronized (this) {
                images.add(SampleImage.newBuilder().setTitle(title).setStep(step).setPng(ByteString.copyFrom(png)).build());
            }
            flush();
        }

        @Override
        public void checkpoint(long step, Path file) {
            upload("checkpoint", step, file);
        }

        @Override
        public void file(Path file) {
            upload("file", 0, file);
        }

        private void upload(String kind, long step, Path file) {
            awaitWindow();
            flush();
            String sha;
            try (InputStream in = Files.newInputStream(file)) {
                MessageDigest d = Tokens.digest();
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
                sha = HexFormat.of().formatHex(d.digest());
            } catch (IOException e) {
                log("cannot upload " + file.getFileName() + ": " + e.getMessage());
                return;
            }
            synchronized (sendLock) {
                long batch;
                synchronized (this) {
                    batch = nextBatch++;
                }
                ArtifactUpload u = ArtifactUpload.newBuilder().setAttempt(id).setBatch(batch).setKind(kind)
                        .setFileName(file.getFileName().toString()).setStep(step).setSha256(sha).build();
                enqueue(new Outgoing(batch, null, u, file));
            }
        }
    }
}
