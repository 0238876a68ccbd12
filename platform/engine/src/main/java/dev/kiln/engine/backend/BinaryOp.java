package dev.kiln.engine.backend;

/** Element-wise binary primitives; comparisons produce 1 or 0 in the output dtype. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, GT, GE, LT, LE, EQ,
    /** {@code a · step(b)}, step 1 where {@code b > 0} else 0 (NaN: 0): relu's gradient in one pass instead of a mask and a product. */
    MUL_STEP
}
