package dev.kiln.itests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leak check of {@link SwapCyclesIT} is not vacuous: a plugin that parks its own class in a
 * ThreadLocal of the host's caller threads keeps every version's class loader alive, and the check fails.
 */
class LeakCheckCanFailIT {

    @Test
    void leakyPluginFailsTheLeakCheck(@TempDir Path tmp) throws Exception {
        SwapCycles.Result r = SwapCycles.run(tmp, TestBundles.LEAKY, "leaky", 40, 4);
        System.out.println("swap cycles (leaky): " + r);
        assertTrue(r.loadersRetained() > SwapCycles.MAX_RETAINED_LOADERS, "the leak is visible: " + r);
        AssertionError e = assertThrows(AssertionError.class, () -> SwapCycles.assertNoLeak(r));
        assertTrue(e.getMessage().contains("plugin class loaders are still reachable"), e.getMessage());
    }
}
