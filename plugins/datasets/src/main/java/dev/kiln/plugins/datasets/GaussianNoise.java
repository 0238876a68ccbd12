package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/**
 * Adds independent {@code N(0, std²)} noise to every value (training only; not clipped). For a
 * denoising autoencoder the clean target is the same example read without a generator.
 */
record GaussianNoise(double std) implements Transform {

    GaussianNoise {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("gaussian_noise: std must be >= 0, got " + std);
        }
    }

    @Override
    public boolean augmenting() {
        return true;
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        int n = Shapes.size(shape);
        for (int i = 0; i < n; i += 2) {
            // Box-Muller: two uniforms give two independent normals
            double r = Math.sqrt(-2 * Math.log(1 - generator.nextDouble()));
            double t = 2 * Math.PI * generator.nextDouble();
            out[i] = (float) (in[i] + std * r * Math.cos(t));
            if (i + 1 < n) {
                out[i + 1] = (float) (in[i + 1] + std * r * Math.sin(t));
            }
        }
    }
}
