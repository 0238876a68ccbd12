package dev.kiln.itests.plugins.echo;

import dev.kiln.api.tensor.Tensor;

import java.util.Map;

/** Referenced only from {@code exportState()}, so it is loaded late, after a newer version arrived. */
final class LateLoaded {

    private LateLoaded() {
    }

    static Map<String, Tensor> state(long steps) {
        return Map.of();
    }
}
