package dev.kiln.itests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** 200 install/swap/uninstall cycles under concurrent callers leave no plugin class loaders behind. */
class SwapCyclesIT {

    @Test
    void twoHundredCyclesKeepMetaspaceFlatAndRetainAtMostTwoPluginClassLoaders(@TempDir Path tmp) throws Exception {
        SwapCycles.Result r = SwapCycles.run(tmp, TestBundles.ECHO, "echo", 200, 4);
        System.out.println("swap cycles (echo): " + r);
        assertTrue(r.calls() > 200, "callers used the plugin throughout: " + r);
        assertTrue(r.loadersSeen() > 100, "callers saw many versions: " + r);
        SwapCycles.assertNoLeak(r);
    }
}
