package dev.kiln.server;

import com.google.protobuf.ByteString;
import dev.kiln.proto.v1.Artifact;
import dev.kiln.proto.v1.ArtifactChunk;
import dev.kiln.proto.v1.CancelRunRequest;
import dev.kiln.proto.v1.CreateRunRequest;
import dev.kiln.proto.v1.ExperimentServiceGrpc;
import dev.kiln.proto.v1.GetArtifactRequest;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.ListArtifactsRequest;
import dev.kiln.proto.v1.ListArtifactsResponse;
import dev.kiln.proto.v1.ListRunsRequest;
import dev.kiln.proto.v1.ListRunsResponse;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import dev.kiln.proto.v1.StreamRunEventsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** {@code ExperimentService}: what researchers call. Users reach only their own runs; admins reach all. */
final class ExperimentServiceImpl extends ExperimentServiceGrpc.ExperimentServiceImplBase {

    static final int CHUNK = 256 * 1024;
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** Per-user limits enforced by this service. */
    record Limits(int maxQueuedPerUser, int maxStreamsPerUser) {
        static Limits defaults() {
            return new Limits(1000, 16);
        }
    }

    private final Store store;
    private final EventHub hub;
    private final Coordinator coordinator;
    private final Path artifactDir;
    private final Executor pumps;
    private final Limits limits;
    private final Map<String, AtomicInteger> streams = new ConcurrentHashMap<>();

    ExperimentServiceImpl(Store store, EventHub hub, Coordinator coordinator, Path artifactDir, Executor pumps, Limits limits) {
        this.store = store;
        this.hub = hub;
        this.coordinator = coordinator;
        this.artifactDir = artifactDir;
        this.pumps = pumps;
        this.limits = limits;
    }

    @Override
    public void createRun(CreateRunRequest req, StreamObserver<Run> out) {
        unary(out, () -> {
            Principal p = Principal.current();
            if (p.role() == Role.WORKER) {
                throw Status.PERMISSION_DENIED.withDescription("workers cannot submit runs").asRuntimeException();
            }
            if (!req.getRequestId().isEmpty() && !REQUEST_ID.matcher(req.getRequestId()).matches()) {
                throw Status.INVALID_ARGUMENT.withDescription("request_id: 1-128 of [A-Za-z0-9._:-] (e.g. a UUID), got '"
                        + clip(req.getRequestId()) + "'").asRuntimeException();
            }
            if (req.getPriority() != 0 && !p.admin()) {
                throw Status.PERMISSION_DENIED.withDescription("priority " + req.getPriority() + " needs the admin role; leave it 0").asRuntimeException();
            }
            if (!req.hasSpec()) {
                throw Status.INVALID_ARGUMENT.withDescription("spec: required").asRuntimeException();
            }
            try {
                SpecValidator.validate(req.getSpec());
            } catch (SpecValidator.InvalidSpecException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
            if (store.queuedCount(p.name()) >= limits.maxQueuedPerUser()) {
                throw Status.RESOURCE_EXHAUSTED.withDescription(p.name() + " has " + limits.maxQueuedPerUser()
                        + " queued runs already; wait for some to start or cancel some").asRuntimeException();
            }
            Store.Created c = store.createRun(p.name(), req.getRequestId(), req.getSpec(), req.getPriority());
            if (!c.created() && !c.run().spec().equals(req.getSpec())) {
                throw Status.ALREADY_EXISTS.withDescription("request_id " + req.getRequestId() + " was used for a different spec (run "
                        + c.run().id() + "); use a new request_id for a new submission").asRuntimeException();
            }
            if (c.created()) {
                coordinator.poke();
            }
            return withPosition(c.run());
        });
    }

    @Override
    public void getRun(GetRunRequest req, StreamObserver<Run> out) {
        unary(out, () -> withPosition(authorized(runId(req.getName()), true)));
    }

    @Override
    public void listRuns(ListRunsRequest req, StreamObserver<ListRunsResponse> out) {
        unary(out, () -> {
            Principal p = Principal.current();
            String owner = null;
            String state = null;
            String name = null;
            for (String term : req.getFilter().trim().split("\\s+")) {
                if (term.isEmpty()) {
                    continue;
                }
                String[] kv = term.split("=", 2);
                if (kv.length != 2 || kv[1].isEmpty()) {
                    throw Status.INVALID_ARGUMENT.withDescription("filter: expected space-separated field=value terms (owner, state, name), got '"
                            + clip(term) + "'").asRuntimeException();
                }
                switch (kv[0]) {
                    case "owner" -> owner = kv[1];
                    case "state" -> {
                        try {
                            state = Run.State.valueOf(kv[1].toUpperCase()).name();
                        } catch (IllegalArgumentException e) {
                            throw Status.INVALID_ARGUMENT.withDescription("filter: state must be one of QUEUED, RUNNING, CANCELLING, SUCCEEDED, "
                                    + "FAILED, CANCELLED, got '" + clip(kv[1]) + "'").asRuntimeException();
                        }
                    }
                    case "name" -> name = kv[1];
                    default -> throw Status.INVALID_ARGUMENT.withDescription("filter: unknown field '" + clip(kv[0])
                            + "'; use owner, state or name").asRuntimeException();
                }
            }
            if (!p.admin()) {
                if (owner != null && !owner.equals(p.name())) {
                    throw Status.PERMISSION_DENIED.withDescription(p.name() + " cannot list runs of " + owner).asRuntimeException();
                }
                owner = p.name();
            }
            if (req.getPageSize() < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("page_size must be >= 0, got " + req.getPageSize()).asRuntimeException();
            }
            int size = req.getPageSize() == 0 ? 50 : Math.min(req.getPageSize(), 1000);
            long before = 0;
            if (!req.getPageToken().isEmpty()) {
                try {
                    String t = new String(Base64.getUrlDecoder().decode(req.getPageToken()), StandardCharsets.UTF_8);
                    String[] parts = t.split("\n", 2);
                    if (parts.length != 2 || !parts[1].equals(req.getFilter() + "|" + p.name())) {
                        throw new IllegalArgumentException();
                    }
                    before = Long.parseLong(parts[0]);
                } catch (IllegalArgumentException e) {
                    throw Status.INVALID_ARGUMENT.withDescription("page_token is not one this server issued for this filter").asRuntimeException();
                }
            }
            List<Store.RunRow> rows = store.listRuns(owner, state, name, before, size + 1);
            Map<String, Integer> positions = rows.stream().anyMatch(r -> r.state().equals("QUEUED")) ? coordinator.queuePositions() : Map.of();
            ListRunsResponse.Builder b = ListRunsResponse.newBuilder();
            rows.stream().limit(size).forEach(r -> b.addRuns(r.state().equals("QUEUED")
                    ? r.toProto(positions.getOrDefault(r.id(), 0)).toBuilder().setWaitingReason(coordinator.waitingReason(r.spec())).build()
                    : r.toProto(0)));
            if (rows.size() > size) {
                String token = rows.get(size - 1).seq() + "\n" + req.getFilter() + "|" + p.name();
                b.setNextPageToken(Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
            }
            return b.build();
        });
    }

    @Override
    public void cancelRun(CancelRunRequest req, StreamObserver<Run> out) {
        unary(out, () -> {
            Store.RunRow row = authorized(runId(req.getName()), false);
            return withPosition(coordinator.cancel(row.id(), Principal.current().name()));
        });
    }

    @Override
    public void streamRunEvents(StreamRunEventsRequest req, StreamObserver<RunEvent> out) {
        Store.RunRow row;
        try {
            row = authorized(runId(req.getName()), false);
            if (req.getAfterSequence() < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("after_sequence must be >= 0").asRuntimeException();
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (Store.StoreException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        String user = Principal.current().name();
        AtomicInteger open = streams.computeIfAbsent(user, u -> new AtomicInteger());
        if (open.incrementAndGet() > limits.maxStreamsPerUser()) {
            open.decrementAndGet();
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription(user + " has " + limits.maxStreamsPerUser()
                    + " event streams open; close some (each kiln watch holds one)").asRuntimeException());
            return;
        }
        new EventPump(store, hub, row.id(), req.getAfterSequence(), (ServerCallStreamObserver<RunEvent>) out, pumps, open::decrementAndGet).start();
    }

    @Override
    public void listArtifacts(ListArtifactsRequest req, StreamObserver<ListArtifactsResponse> out) {
        unary(out, () -> ListArtifactsResponse.newBuilder().addAllArtifacts(store.artifacts(authorized(runId(req.getParent()), true).id())).build());
    }

    @Override
    public void getArtifact(GetArtifactRequest req, StreamObserver<ArtifactChunk> out) {
        Artifact artifact;
        InputStream in;
        try {
            String name = req.getName();
            int at = name.indexOf("/artifacts/");
            if (at < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("name must be runs/{run}/artifacts/{artifact}, got '" + clip(name) + "'").asRuntimeException();
            }
            Store.RunRow row = authorized(runId(name.substring(0, at)), true);
            String artifactId = name.substring(at + "/artifacts/".length());
            artifact = store.artifact(row.id(), artifactId)
                    .orElseThrow(() -> Status.NOT_FOUND.withDescription("no artifact " + clip(name)).asRuntimeException());
            in = Files.newInputStream(artifactDir.resolve(row.id()).resolve(artifactId));
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (Store.StoreException | IOException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        ServerCallStreamObserver<ArtifactChunk> call = (ServerCallStreamObserver<ArtifactChunk>) out;
        new Object() {
            long offset;
            boolean first = true;
            boolean done;

            void start() {
                call.setOnCancelHandler(this::close);
                call.setOnReadyHandler(this::send);
            }

            synchronized void send() {
                try {
                    while (!done && call.isReady()) {
                        byte[] b = in.readNBytes(CHUNK);
                        if (b.length == 0 && !first) {
                            close();
                            call.onCompleted();
                            return;
                        }
                        ArtifactChunk.Builder c = ArtifactChunk.newBuilder().setOffset(offset).setData(ByteString.copyFrom(b));
                        if (first) {
                            c.setArtifact(artifact);
                            first = false;
                        }
                        offset += b.length;
                        call.onNext(c.build());
                    }
                } catch (IOException e) {
                    close();
                    call.onError(Status.DATA_LOSS.withDescription("reading " + artifact.getName() + ": " + e.getMessage()).asRuntimeException());
                }
            }

            synchronized void close() {
                done = true;
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }.start();
    }

    // ---------------------------------------------------------------- helpers

    private Run withPosition(Store.RunRow r) {
        if (!r.state().equals("QUEUED")) {
            return r.toProto(0);
        }
        return r.toProto(coordinator.queuePositions().getOrDefault(r.id(), 0)).toBuilder()
                .setWaitingReason(coordinator.waitingReason(r.spec())).build();
    }

    static String runId(String name) {
        if (!name.startsWith("runs/") || name.length() > 110 || name.length() == 5 || name.indexOf('/', 5) >= 0) {
            throw Status.INVALID_ARGUMENT.withDescription("name must be runs/{run}, got '" + clip(name) + "'").asRuntimeException();
        }
        return name.substring(5);
    }

    /**
     * The run if the caller may reach it (workers only read: {@code workerReads}). Non-admins get PERMISSION_DENIED
     * whether or not it exists (no probing).
     */
    private Store.RunRow authorized(String id, boolean workerReads) {
        Principal p = Principal.current();
        var row = store.run(id);
        if (row.isPresent() && (p.canAccess(row.get().owner()) || (workerReads && p.role() == Role.WORKER))) {
            return row.get();
        }
        if (p.admin()) {
            throw Status.NOT_FOUND.withDescription("no run runs/" + id).asRuntimeException();
        }
        throw Status.PERMISSION_DENIED.withDescription(p.name() + " cannot access runs/" + id + " (it does not exist or belongs to another user)")
                .asRuntimeException();
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
        T result;
        try {
            result = body.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (Store.StoreException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
