package dev.kiln.engine.backend;

/** Element-wise unary primitives. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, TANH, SIGMOID, ABS, RELU, SIGN
}
