package dev.kiln.server;

import dev.kiln.proto.v1.ServerMessage;
import dev.kiln.proto.v1.WorkerMessage;
import dev.kiln.proto.v1.WorkerServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code WorkerService.Connect}: one stream per worker; messages go to its {@link Coordinator.Session} in order. */
final class WorkerServiceImpl extends WorkerServiceGrpc.WorkerServiceImplBase {

    private static final Logger LOG = Logger.getLogger(WorkerServiceImpl.class.getName());

    private final Coordinator coordinator;

    WorkerServiceImpl(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public StreamObserver<WorkerMessage> connect(StreamObserver<ServerMessage> responses) {
        Principal p = Principal.current();
        if (p.role() == Role.USER) {
            responses.onError(Status.PERMISSION_DENIED.withDescription(p.name() + " is a user; workers connect with a worker or admin token "
                    + "(kiln users add NAME --worker)").asRuntimeException());
            return new StreamObserver<>() {
                public void onNext(WorkerMessage m) { }

                public void onError(Throwable t) { }

                public void onCompleted() { }
            };
        }
        Coordinator.Session session = coordinator.open(p.name(), responses);
        return new StreamObserver<>() {
            private boolean failed;

            @Override
            public void onNext(WorkerMessage m) {
                if (failed) {
                    return;
                }
                try {
                    switch (m.getKindCase()) {
                        case REGISTER -> session.register(m.getRegister());
                        case HEARTBEAT -> session.heartbeat(m.getHeartbeat().getRunningList());
                        case EVENTS -> session.events(m.getEvents());
                        case ARTIFACT -> session.upload(m.getArtifact());
                        case COMPLETION -> session.complete(m.getCompletion());
                        default -> throw Status.INVALID_ARGUMENT.withDescription("empty WorkerMessage").asRuntimeException();
                    }
                } catch (StatusRuntimeException e) {
                    fail(e.getStatus());
                } catch (Store.StoreException e) {
                    fail(Status.UNAVAILABLE.withDescription(e.getMessage()));
                } catch (IOException e) {
                    fail(Status.UNAVAILABLE.withDescription("server cannot store the upload: " + e.getMessage()));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "worker message failed", e);
                    fail(Status.INTERNAL.withDescription(e.toString()));
                }
            }

            private void fail(Status status) {
                failed = true;
                session.closed();
                synchronized (responses) {
                    try {
                        responses.onError(status.asRuntimeException());
                    } catch (RuntimeException ignored) {
                        // already closed
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                session.closed();
            }

            @Override
            public void onCompleted() {
                session.closed();
                if (!failed) {
                    synchronized (responses) {
                        try {
                            responses.onCompleted();
                        } catch (RuntimeException ignored) {
                            // already closed
                        }
                    }
                }
            }
        };
    }
}
