package dev.kiln.bench;

import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.backend.Backend;

/** Builds the engine's {@link Tensors} over a backend. */
final class EngineFactory {

    private EngineFactory() {
    }

    static Tensors create(Backend backend) {
        // TODO(wt-bench): call new dev.kiln.engine.Engine(backend) directly once the engine lands on main.
        try {
            return (Tensors) Class.forName("dev.kiln.engine.Engine").getConstructor(Backend.class).newInstance(backend);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the tensor engine (dev.kiln.engine.Engine) is not on the class path: " + e, e);
        }
    }
}
