package dev.kiln.engine;

import dev.kiln.api.tensor.GradMode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/** Reverse-mode differentiation over the tape reachable from one tensor. */
final class Autograd {

    private Autograd() {
    }

    static void backward(DenseTensor root, DenseTensor gradient) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: this tensor does not require a gradient; mark an input with"
                    + " requiresGrad(true) before computing it, and do not compute it under noGrad()");
        }
        if (!Arrays.equals(root.shapeRef(), gradient.shapeRef())) {
            throw new IllegalArgumentException("backward: gradient shape " + ShapeMath.str(gradient.shapeRef())
                    + " does not match tensor shape " + ShapeMath.str(root.shapeRef()));
        }
        Engine engine = root.engine();
        List<DenseTensor> order = topologicalOrder(root);
        Map<DenseTensor, DenseTensor> grads = new IdentityHashMap<>();
        grads.put(root, gradient);
        try (GradMode off = engine.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                DenseTensor t = order.get(i);
                DenseTensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn();
                if (node == null) {
                    if (t.requiresGrad()) {
                        t.accumulateGrad(g);
                    }
                    continue;
                }
                DenseTensor[] inputGrads = node.rule.apply(g);
                for (int k = 0; k < node.inputs.length; k++) {
                    DenseTensor input = node.inputs[k];
                    DenseTensor ig = inputGrads[k];
                    if (input == null || ig == null || !input.requiresGrad()) {
                        continue;
                    }
                    if (!Arrays.equals(ig.shapeRef(), input.shapeRef())) {
                        throw new IllegalStateException("internal: gradient of " + node.op + " input " + k + " has shape "
                                + ShapeMath.str(ig.shapeRef()) + ", input has " + ShapeMath.str(input.shapeRef()));
                    }
                    DenseTensor previous = grads.get(input);
                    grads.put(input, previous == null ? ig : previous.add(ig));
                }
            }
        }
    }

    /** Tensors reachable from the root through recorded nodes, inputs before the ops that use them. */
    private static List<DenseTensor> topologicalOrder(DenseTensor root) {
        List<DenseTensor> order = new ArrayList<>();
        Set<DenseTensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {tensor, nextInputIndex}
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            DenseTensor t = (DenseTensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            if (node != null && next < node.inputs.length) {
                frame[1] = next + 1;
                DenseTensor input = node.inputs[next];
                if (input != null && input.requiresGrad() && visited.add(input)) {
                    stack.push(new Object[] {input, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
