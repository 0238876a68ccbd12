package dev.kiln.backend.openblas;

import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;

/** Loads the Bytedeco natives (OpenBLAS, oneDNN) on first use, never in a static initializer. */
final class NativeLibs {
    private static boolean loaded;

    private NativeLibs() {
    }

    static synchronized void load() {
        if (!loaded) {
            Loader.load(openblas_full.class);
            Loader.load(dnnl.class);
            loaded = true;
        }
    }

    /** OpenBLAS's kernel flavour, e.g. {@code Haswell} (follows {@code OPENBLAS_CORETYPE}). */
    static String openblasCore() {
        BytePointer p = openblas_full.openblas_get_corename();
        return p == null ? "?" : p.getString();
    }

    static String openblasConfig() {
        BytePointer p = openblas_full.openblas_get_config();
        return p == null ? "?" : p.getString().trim();
    }

    static String dnnlVersion() {
        dnnl_version_t v = dnnl.dnnl_version();
        return v.major() + "." + v.minor() + "." + v.patch();
    }

    /** oneDNN's effective ISA as a name. */
    static String dnnlIsa() {
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        if (isa == dnnl.dnnl_cpu_isa_avx2) {
            return "avx2";
        }
        if (isa == dnnl.dnnl_cpu_isa_avx512_core) {
            return "avx512_core";
        }
        if (isa == dnnl.dnnl_cpu_isa_avx2_vnni) {
            return "avx2_vnni";
        }
        return "isa#" + isa;
    }
}
