package dev.kiln.backend.openblas;

import org.bytedeco.javacpp.Pointer;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps freed native blocks of tensor memory for the next allocation of the same size class, as
 * PyTorch's caching allocators do: a training loop allocates the same shapes at every step, and
 * handing each block back to {@code malloc} made glibc return its pages to the kernel and fault
 * fresh zeroed pages in at the next step. Measured here (2 cores, fashion-cnn-bn-aug, one epoch):
 * 42% of the process's samples were in the kernel's page-fault and TLB-shootdown paths, and the net
 * trained at 337 img/s; with freed blocks reused, at the rate measured in the closing note of #5.
 *
 * <p>Blocks below {@link #MIN_BYTES} are not cached ({@code malloc} serves them from its own free
 * lists without touching the kernel). Sizes are rounded up to whole pages, so a block serves only
 * requests of its own size class. At most {@code capBytes} are kept; past it the size classes used
 * least recently give their blocks back to {@code free} first. Thread-safe: storages are released
 * on whichever thread closes their scope.
 */
final class BlockCache {

    /** Smallest block worth caching: glibc serves smaller ones from its free lists. */
    static final long MIN_BYTES = 64 * 1024;
    private static final long PAGE = 4096;

    private final long capBytes;
    /** Free blocks per size class, size classes in least-recently-used order. */
    private final LinkedHashMap<Long, ArrayDeque<Pointer>> free = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;
    private boolean closed;
    private long hits;
    private long misses;

    /** @param capBytes most bytes kept in freed blocks; 0 caches nothing */
    BlockCache(long capBytes) {
        if (capBytes < 0) {
            throw new IllegalArgumentException("capBytes must be >= 0, got " + capBytes);
        }
        this.capBytes = capBytes;
    }

    /** The size a block for {@code bytes} is allocated with: whole pages when the block is cacheable. */
    static long sizeClass(long bytes) {
        return bytes < MIN_BYTES ? bytes : (bytes + PAGE - 1) & -PAGE;
    }

    /** A cached block of exactly {@code sizeClass} bytes, or null when none is free. */
    synchronized Pointer take(long sizeClass) {
        if (sizeClass < MIN_BYTES || capBytes == 0 || closed) {
            return null;
        }
        ArrayDeque<Pointer> blocks = free.get(sizeClass);
        if (blocks == null || blocks.isEmpty()) {
            misses++;
            return null;
        }
        hits++;
        cachedBytes -= sizeClass;
        return blocks.pop();
    }

    /**
     * Takes back a block of {@code sizeClass} bytes: cached when it is large enough and fits under
     * the cap (evicting least recently used size classes), otherwise freed at once.
     */
    void give(Pointer block, long sizeClass) {
        if (sizeClass < MIN_BYTES || sizeClass > capBytes) {
            Pointer.free(block);
            return;
        }
        ArrayDeque<Pointer> evicted = new ArrayDeque<>();
        synchronized (this) {
            if (closed) {
                Pointer.free(block);
                return;
            }
            free.computeIfAbsent(sizeClass, k -> new ArrayDeque<>()).push(block);
            cachedBytes += sizeClass;
            Iterator<Map.Entry<Long, ArrayDeque<Pointer>>> lru = free.entrySet().iterator();
            while (cachedBytes > capBytes && lru.hasNext()) {
                Map.Entry<Long, ArrayDeque<Pointer>> e = lru.next();
                ArrayDeque<Pointer> blocks = e.getValue();
                while (cachedBytes > capBytes && !blocks.isEmpty()) {
                    evicted.add(blocks.removeLast());
                    cachedBytes -= e.getKey();
                }
                if (blocks.isEmpty()) {
                    lru.remove();
                }
            }
        }
        evicted.forEach(Pointer::free);
    }

    /** Bytes held in freed blocks now. */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Allocations of a cacheable size served from the cache so far. */
    synchronized long hits() {
        return hits;
    }

    /** Allocations of a cacheable size that found no free block. */
    synchronized long misses() {
        return misses;
    }

    /** Frees every cached block; blocks given back afterwards are freed at once. */
    synchronized void close() {
        closed = true;
        clear();
    }

    /** Frees every cached block (when {@code malloc} fails, before trying again). */
    synchronized void clear() {
        free.values().forEach(blocks -> blocks.forEach(Pointer::free));
        free.clear();
        cachedBytes = 0;
    }
}
