package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.Storage;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** Freed tensor memory is reused per size class, within its cap, least recently used classes evicted first. */
class BlockCacheTest {

    private static final long BIG = 256 * 1024;

    @Test
    void sizeClassesAreWholePagesAboveTheThreshold() {
        assertEquals(100, BlockCache.sizeClass(100));
        assertEquals(BlockCache.MIN_BYTES - 1, BlockCache.sizeClass(BlockCache.MIN_BYTES - 1));
        assertEquals(BlockCache.MIN_BYTES, BlockCache.sizeClass(BlockCache.MIN_BYTES));
        assertEquals(BlockCache.MIN_BYTES + 4096, BlockCache.sizeClass(BlockCache.MIN_BYTES + 1));
    }

    @Test
    void aFreedBlockServesTheNextRequestOfItsSizeOnly() {
        BlockCache cache = new BlockCache(4 * BIG);
        assertNull(cache.take(BIG));
        Pointer p = Pointer.malloc(BIG);
        cache.give(p, BIG);
        assertEquals(BIG, cache.cachedBytes());
        assertNull(cache.take(BIG + 4096), "another size class");
        assertSame(p, cache.take(BIG));
        assertEquals(0, cache.cachedBytes());
        assertNull(cache.take(BIG), "taken once");
        assertEquals(1, cache.hits());
        assertEquals(3, cache.misses());
        cache.give(p, BIG);
        cache.close();
        assertEquals(0, cache.cachedBytes());
        assertNull(cache.take(BIG), "a closed cache hands out nothing");
    }

    @Test
    void smallBlocksAndAZeroCapAreNotKept() {
        BlockCache cache = new BlockCache(4 * BIG);
        cache.give(Pointer.malloc(1024), 1024);
        assertEquals(0, cache.cachedBytes());
        BlockCache off = new BlockCache(0);
        off.give(Pointer.malloc(BIG), BIG);
        assertEquals(0, off.cachedBytes());
        assertNull(off.take(BIG));
        assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1));
    }

    @Test
    void theLeastRecentlyUsedSizeClassIsEvictedPastTheCap() {
        BlockCache cache = new BlockCache(3 * BIG);
        long other = 2 * BIG;
        Pointer old = Pointer.malloc(other);
        cache.give(old, other);                      // 2 BIG cached, class `other` used first
        Pointer a = Pointer.malloc(BIG);
        cache.give(a, BIG);                          // 3 BIG: at the cap
        assertEquals(3 * BIG, cache.cachedBytes());
        cache.give(Pointer.malloc(BIG), BIG);        // 4 BIG: the `other` class goes
        assertEquals(2 * BIG, cache.cachedBytes());
        assertNull(cache.take(other), "the least recently used class was evicted");
        assertNotNull(cache.take(BIG));
        assertNotNull(cache.take(BIG));
        cache.close();
    }

    @Test
    void theBackendReusesFreedStoragesAndZeroesThemWhenAsked() {
        try (NativeCpuBackend cpu = new NativeCpuBackend(1)) {
            int n = 100_000;
            Storage first = cpu.allocate(DType.FLOAT32, n);
            long address = first.address();
            for (int i = 0; i < n; i++) {
                first.set(i, 1 + i);
            }
            first.release();
            assertEquals(BlockCache.sizeClass(n * 4L + 64), cpu.blockCacheBytes());
            Storage zeroed = cpu.allocateZeroed(DType.FLOAT32, n);
            assertEquals(address, zeroed.address(), "the freed block came back");
            for (int i = 0; i < n; i++) {
                if (zeroed.get(i) != 0) {
                    fail("a reused block handed out by allocateZeroed holds " + zeroed.get(i) + " at " + i);
                }
            }
            assertEquals(0, cpu.blockCacheBytes());
            assertEquals(1, cpu.blockCacheHitsAndMisses()[0]);
            zeroed.release();
        }
    }
}
