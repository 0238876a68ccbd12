package dev.kiln.engine.backend;

/** Element-wise binary primitives; comparisons produce 1 or 0 in the output dtype. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, GT, GE, LT, LE, EQ
}
