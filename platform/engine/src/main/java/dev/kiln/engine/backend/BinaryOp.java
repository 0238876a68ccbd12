package dev.kiln.engine.backend;

/** Element-wise binary primitives; comparisons produce 1 or 0 in the output dtype. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, GT, GE, LT, LE, EQ,
    /**
     * {@code a · step(b)}, step 1 where {@code b > 0}, 0 where {@code b <= 0}, NaN where b is NaN: relu's gradient in
     * one pass. A NaN input gets a NaN gradient (PyTorch passes the incoming gradient there): the forward value is
     * NaN too, and the run stops on it either way.
     */
    MUL_STEP
}
