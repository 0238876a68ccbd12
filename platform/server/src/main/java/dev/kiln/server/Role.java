package dev.kiln.server;

/** What a token may do. */
public enum Role {
    /** Submits, watches and cancels its own runs. */
    USER,
    /** Everything: every run, plugins, users. */
    ADMIN,
    /** Connects as a worker and reads the artifacts of runs (to resume from checkpoints). */
    WORKER
}
