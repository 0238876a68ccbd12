package dev.kiln.cli;

import io.grpc.StatusRuntimeException;

/** One-line descriptions of server answers. */
final class Remote {

    private Remote() {
    }

    static String describe(StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        return "server: " + e.getStatus().getCode() + (d == null ? "" : ": " + d);
    }

    static String run(String arg) {
        return arg.startsWith("runs/") ? arg : "runs/" + arg;
    }
}
