package dev.kiln.engine.backend;

/** Reductions over the middle axis of an {@code (outer, n, inner)} view. */
public enum ReduceOp {
    /** Sum. */
    SUM,
    /** Maximum (NaN propagates). */
    MAX,
    /** Index of the first maximum, written as int64. */
    ARGMAX
}
