package dev.kiln.engine.reference;

import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.Storage;

/** Reference pooling and unpooling kernels. */
final class Pooling {
    private Pooling() {
    }

    static void maxForward(Storage x, Storage out, Storage indices, PoolGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }

    static void maxBackward(Storage gradOut, Storage indices, Storage gradIn, PoolGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }

    static void avgForward(Storage x, Storage out, PoolGeometry g, boolean countIncludePad) {
        throw new UnsupportedOperationException("TODO");
    }

    static void avgBackward(Storage gradOut, Storage gradIn, PoolGeometry g, boolean countIncludePad) {
        throw new UnsupportedOperationException("TODO");
    }

    static void unpool(Storage x, Storage indices, Storage out, int planes, int inPlane, int outPlane) {
        throw new UnsupportedOperationException("TODO");
    }

    static void unpoolBackward(Storage gradOut, Storage indices, Storage gradIn, int planes, int inPlane, int outPlane) {
        throw new UnsupportedOperationException("TODO");
    }
}
