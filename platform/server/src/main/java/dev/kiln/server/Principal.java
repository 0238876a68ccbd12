package dev.kiln.server;

import io.grpc.Context;
import io.grpc.Status;

/** The authenticated caller of a gRPC call. */
public record Principal(String name, Role role) {

    static final Context.Key<Principal> KEY = Context.key("kiln-principal");

    /** The caller of the current call; the interceptor guarantees one on every authenticated service. */
    public static Principal current() {
        Principal p = KEY.get();
        if (p == null) {
            throw Status.UNAUTHENTICATED.withDescription("no caller (auth interceptor missing)").asRuntimeException();
        }
        return p;
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    /** May this caller see and cancel runs of {@code owner}? */
    public boolean canAccess(String owner) {
        return admin() || name.equals(owner);
    }

    void requireAdmin(String what) {
        if (!admin()) {
            throw Status.PERMISSION_DENIED.withDescription(what + " needs the admin role; " + name + " is " + role.name().toLowerCase())
                    .asRuntimeException();
        }
    }
}
