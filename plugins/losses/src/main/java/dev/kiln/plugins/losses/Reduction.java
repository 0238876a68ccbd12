package dev.kiln.plugins.losses;

import dev.kiln.api.tensor.Tensor;

import java.util.Arrays;
import java.util.Set;

/**
 * How a loss reduces its per-element values to a scalar, as PyTorch's {@code reduction} argument:
 * {@code mean} (the default), {@code sum}, and for {@code kl_divergence} also {@code batchmean}
 * (the sum divided by the batch size, the mathematically correct KL divergence).
 */
public enum Reduction {
    MEAN("mean"),
    SUM("sum"),
    BATCHMEAN("batchmean");

    private final String id;

    Reduction(String id) {
        this.id = id;
    }

    /** The value written in a spec, e.g. {@code "mean"}. */
    public String id() {
        return id;
    }

    /** The reduction named {@code id}; fails naming the field, the value and the allowed values. */
    public static Reduction of(String id) {
        for (Reduction r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("reduction must be one of " + Arrays.stream(values()).map(Reduction::id).toList()
                + ", got \"" + id + "\"");
    }

    /** Rejects a reduction the loss does not offer (only {@code kl_divergence} has {@code batchmean}). */
    static Reduction require(String loss, Reduction reduction, Set<Reduction> allowed) {
        if (reduction == null || !allowed.contains(reduction)) {
            throw new IllegalArgumentException(loss + ": reduction must be one of "
                    + allowed.stream().sorted().map(Reduction::id).toList() + ", got "
                    + (reduction == null ? "null" : "\"" + reduction.id + "\""));
        }
        return reduction;
    }

    /** Reduces per-element (or per-example) losses to a scalar. */
    Tensor apply(Tensor values) {
        return switch (this) {
            case MEAN -> values.mean();
            case SUM -> values.sum();
            case BATCHMEAN -> values.sum().div(values.dim() == 0 ? 1 : values.size(0));
        };
    }
}
