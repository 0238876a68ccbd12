package dev.kiln.model.conformance;

import java.util.Map;

/**
 * Hyper-parameters a plugin must reject when built: with an {@link IllegalArgumentException} whose message names
 * {@code field}, shows {@code value} and states the allowed range.
 *
 * <pre>{@code
 * new InvalidCase("conv2d", Map.of("out_channels", 0, "kernel_size", 3), new int[] {3, 8, 8}, "out_channels", "0")
 * }</pre>
 *
 * @param inputShape one example's input shape (without the batch axis)
 * @param value      the offending value as the message shows it
 */
public record InvalidCase(String plugin, Map<String, ?> params, int[] inputShape, String field, String value) {

    public InvalidCase {
        params = Map.copyOf(params);
        inputShape = inputShape.clone();
    }
}
