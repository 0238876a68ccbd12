package dev.kiln.engine;

/**
 * One recorded op in the autograd tape: its inputs and the rule that maps the gradient of its
 * output to the gradients of its inputs. Rules are written with tensor ops, so every backend runs
 * them with its own kernels.
 */
final class Node {

    /** Maps the output gradient to one gradient per input ({@code null} where none flows). */
    @FunctionalInterface
    interface Rule {
        DenseTensor[] apply(DenseTensor gradOutput);
    }

    final String op;
    final DenseTensor[] inputs;
    final Rule rule;

    Node(String op, DenseTensor[] inputs, Rule rule) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
    }
}
