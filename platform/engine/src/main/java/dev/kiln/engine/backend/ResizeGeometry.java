package dev.kiln.engine.backend;

/** Shapes of one 2-D resize: {@code planes} planes of {@code (h, w)} to {@code (outH, outW)}. */
public record ResizeGeometry(int planes, int h, int w, int outH, int outW) {
}
