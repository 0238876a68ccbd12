package dev.kiln.backend.openblas;

import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.BackendProvider;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.global.dnnl;

/**
 * Registers the native CPU backend ({@code "cpu"}, rank 10). Nothing is loaded until {@link #probe}
 * or {@link #create} is called.
 */
public final class NativeCpuProvider implements BackendProvider {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String probe() {
        try {
            NativeLibs.load();
            NativeLibs.openblasCore();
            dnnl_engine engine = new dnnl_engine();
            int status = dnnl.dnnl_engine_create(engine, dnnl.dnnl_cpu, 0);
            if (status != dnnl.dnnl_success) {
                return "oneDNN could not create a CPU engine (status " + status + ")";
            }
            dnnl.dnnl_engine_destroy(engine);
            return null;
        } catch (Throwable t) {
            return "native libraries did not load: " + t.getClass().getSimpleName() + ": " + t.getMessage();
        }
    }

    @Override
    public Backend create(int threads) {
        return new NativeCpuBackend(threads);
    }
}
