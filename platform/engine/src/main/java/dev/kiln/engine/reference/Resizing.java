package dev.kiln.engine.reference;

import dev.kiln.engine.backend.ResizeGeometry;
import dev.kiln.engine.backend.Storage;

/** Reference nearest and bilinear resizing kernels. */
final class Resizing {
    private Resizing() {
    }

    static void nearest(Storage x, Storage out, ResizeGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }

    static void nearestBackward(Storage gradOut, Storage gradIn, ResizeGeometry g) {
        throw new UnsupportedOperationException("TODO");
    }

    static void bilinear(Storage x, Storage out, ResizeGeometry g, boolean alignCorners) {
        throw new UnsupportedOperationException("TODO");
    }

    static void bilinearBackward(Storage gradOut, Storage gradIn, ResizeGeometry g, boolean alignCorners) {
        throw new UnsupportedOperationException("TODO");
    }
}
