package dev.kiln.server;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;

import java.util.concurrent.Executor;

/** {@code authorization: Bearer <token>} on every call. */
public final class BearerToken extends CallCredentials {

    private final String token;

    private BearerToken(String token) {
        this.token = token;
    }

    public static BearerToken of(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("no token: pass --token or set $KILN_TOKEN (an admin token is in $KILN_HOME/admin-token)");
        }
        return new BearerToken(token.trim());
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        try {
            Metadata m = new Metadata();
            m.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
            applier.apply(m);
        } catch (RuntimeException e) {
            applier.fail(Status.UNAUTHENTICATED.withCause(e));
        }
    }
}
