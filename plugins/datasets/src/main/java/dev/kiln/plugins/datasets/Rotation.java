package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/**
 * Rotates the image about its centre by an angle drawn uniformly from {@code [-degrees, degrees]},
 * sampling bilinearly; pixels from outside the image are 0 (training only).
 */
record Rotation(double degrees) implements Transform {

    Rotation {
        if (!(degrees >= 0 && degrees <= 180)) {
            throw new IllegalArgumentException("rotation: degrees must be in [0, 180], got " + degrees);
        }
    }

    @Override
    public int[] outputShape(int[] input) {
        Shapes.requireImage("rotation", input);
        return input.clone();
    }

    @Override
    public boolean augmenting() {
        return true;
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        rotate(in, out, shape, Math.toRadians((2 * generator.nextDouble() - 1) * degrees));
    }

    /** Rotation by {@code radians} (counter-clockwise as displayed, y pointing down). */
    static void rotate(float[] in, float[] out, int[] shape, double radians) {
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        for (int oy = 0; oy < h; oy++) {
            for (int ox = 0; ox < w; ox++) {
                // inverse mapping: where in the source does this output pixel come from
                double dx = ox - cx;
                double dy = oy - cy;
                double sx = cos * dx - sin * dy + cx;
                double sy = sin * dx + cos * dy + cy;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                for (int ch = 0; ch < c; ch++) {
                    int plane = ch * h * w;
                    double v = (1 - fy) * ((1 - fx) * at(in, plane, h, w, y0, x0) + fx * at(in, plane, h, w, y0, x0 + 1))
                            + fy * ((1 - fx) * at(in, plane, h, w, y0 + 1, x0) + fx * at(in, plane, h, w, y0 + 1, x0 + 1));
                    out[plane + oy * w + ox] = (float) v;
                }
            }
        }
    }

    private static float at(float[] in, int plane, int h, int w, int y, int x) {
        return y >= 0 && y < h && x >= 0 && x < w ? in[plane + y * w + x] : 0f;
    }
}
