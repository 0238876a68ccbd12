package dev.kiln.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.Map;
import java.util.Optional;

/**
 * Fails closed: every call needs {@code authorization: Bearer <token>} naming a known user (looked up by the token's
 * SHA-256, never the token). Extra tokens (the in-process worker's) are held in memory only.
 */
final class AuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Store store;
    private final Map<String, Principal> memoryTokens;

    AuthInterceptor(Store store, Map<String, Principal> memoryTokensBySha256) {
        this.store = store;
        this.memoryTokens = memoryTokensBySha256;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String header = headers.get(AUTHORIZATION);
        if (header == null) {
            return reject(call, "no credentials: pass --token or set $KILN_TOKEN (kiln serve wrote an admin token to $KILN_HOME/admin-token)");
        }
        if (!header.startsWith("Bearer ") || header.length() > 200) {
            return reject(call, "authorization must be 'Bearer <token>'");
        }
        String hash = Tokens.sha256(header.substring("Bearer ".length()).trim());
        Principal p = memoryTokens.get(hash);
        if (p == null) {
            Optional<Store.User> u;
            try {
                u = store.userByTokenHash(hash);
            } catch (Store.StoreException e) {
                call.close(Status.UNAVAILABLE.withDescription("cannot check the token: " + e.getMessage()), new Metadata());
                return new ServerCall.Listener<>() { };
            }
            if (u.isEmpty()) {
                return reject(call, "unknown token; ask an admin for one (kiln users add NAME)");
            }
            p = new Principal(u.get().name(), u.get().role());
        }
        return Contexts.interceptCall(Context.current().withValue(Principal.KEY, p), call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> reject(ServerCall<Q, R> call, String why) {
        call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
        return new ServerCall.Listener<>() { };
    }
}
