package dev.kiln.engine.backend;

/** Element-wise unary primitives. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, TANH, SIGMOID, ABS, RELU, SIGN,
    /** Heaviside step, 1 where x > 0 else 0: the mask of relu's gradient. */
    STEP
}
