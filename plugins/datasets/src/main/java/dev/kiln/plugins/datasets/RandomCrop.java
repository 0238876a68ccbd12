package dev.kiln.plugins.datasets;

import dev.kiln.api.tensor.Generator;

/**
 * Pads the image with {@code padding} zeros on every side and cuts a {@code height × width} window at a
 * random position (training); other splits get the centred window, so every split has the same shape.
 */
record RandomCrop(int height, int width, int padding) implements Transform {

    RandomCrop {
        if (height < 1 || width < 1 || padding < 0) {
            throw new IllegalArgumentException("random_crop: size must be >= 1 and padding >= 0, got size "
                    + height + "×" + width + ", padding " + padding);
        }
    }

    @Override
    public int[] outputShape(int[] input) {
        Shapes.requireImage("random_crop", input);
        if (height > input[1] + 2 * padding || width > input[2] + 2 * padding) {
            throw new IllegalArgumentException("random_crop: size " + height + "×" + width + " exceeds the padded image "
                    + (input[1] + 2 * padding) + "×" + (input[2] + 2 * padding));
        }
        return new int[] {input[0], height, width};
    }

    @Override
    public boolean augmenting() {
        return false; // runs on every split: random on training examples, centred otherwise
    }

    @Override
    public void apply(float[] in, float[] out, int[] shape, Generator generator) {
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        int rangeY = h + 2 * padding - height;
        int rangeX = w + 2 * padding - width;
        int top = generator == null ? rangeY / 2 : generator.nextInt(rangeY + 1);
        int left = generator == null ? rangeX / 2 : generator.nextInt(rangeX + 1);
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < height; oy++) {
                int y = top + oy - padding;
                for (int ox = 0; ox < width; ox++) {
                    int x = left + ox - padding;
                    out[(ch * height + oy) * width + ox] = y >= 0 && y < h && x >= 0 && x < w ? in[(ch * h + y) * w + x] : 0f;
                }
            }
        }
    }
}
