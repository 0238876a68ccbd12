package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.Storage;
import dev.kiln.engine.reference.ReferenceBackend;

/**
 * The reference backend's convolution and pooling kernels over float64 arrays: the specification
 * the native kernels are compared with (the reference itself is checked against PyTorch fixtures).
 */
final class Oracle {

    private static final ReferenceBackend REFERENCE = new ReferenceBackend();

    private Oracle() {
    }

    static double[] conv(double[] x, double[] w, double[] bias, ConvGeometry g) {
        Storage out = Storage.heap(DType.FLOAT64, g.n() * g.cOut() * g.outH() * g.outW());
        REFERENCE.conv2d(heap(x), heap(w), bias == null ? null : heap(bias), out, g);
        return values(out);
    }

    static double[] convBackwardInput(double[] gy, double[] w, ConvGeometry g) {
        Storage gx = Storage.heap(DType.FLOAT64, g.n() * g.cIn() * g.h() * g.w());
        REFERENCE.conv2dBackwardInput(heap(gy), heap(w), gx, g);
        return values(gx);
    }

    static double[] convBackwardWeight(double[] x, double[] gy, ConvGeometry g) {
        Storage gw = Storage.heap(DType.FLOAT64, g.cOut() * g.cInPerGroup() * g.kH() * g.kW());
        REFERENCE.conv2dBackwardWeight(heap(x), heap(gy), gw, g);
        return values(gw);
    }

    /** Max pooling: values then indices (as doubles). */
    static double[][] maxPool(double[] x, PoolGeometry g) {
        int n = g.planes() * g.outH() * g.outW();
        Storage out = Storage.heap(DType.FLOAT64, n);
        Storage idx = Storage.heap(DType.INT64, n);
        REFERENCE.maxPool2d(heap(x), out, idx, g);
        double[] indices = new double[n];
        for (int i = 0; i < n; i++) {
            indices[i] = idx.getLong(i);
        }
        return new double[][] {values(out), indices};
    }

    static double[] avgPool(double[] x, PoolGeometry g, boolean countIncludePad) {
        Storage out = Storage.heap(DType.FLOAT64, g.planes() * g.outH() * g.outW());
        REFERENCE.avgPool2d(heap(x), out, g, countIncludePad);
        return values(out);
    }

    static double[] avgPoolBackward(double[] gy, PoolGeometry g, boolean countIncludePad) {
        Storage gx = Storage.heap(DType.FLOAT64, g.planes() * g.h() * g.w());
        REFERENCE.avgPool2dBackward(heap(gy), gx, g, countIncludePad);
        return values(gx);
    }

    private static Storage heap(double[] v) {
        Storage s = Storage.heap(DType.FLOAT64, v.length);
        s.doubles().put(0, v);
        return s;
    }

    private static double[] values(Storage s) {
        double[] v = new double[s.length()];
        s.doubles().get(0, v);
        return v;
    }
}
