package dev.kiln.model.data;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetInfo;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;
import dev.kiln.engine.Engine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchLoaderTest {

    private static final Engine ENGINE = Engine.reference();

    /** Example i is (i, i + noise) with label i % 5; noise is a draw of the generator when given. */
    private record Toy(int n, int failAt) implements Dataset {
        @Override
        public DatasetInfo info() {
            return new DatasetInfo("toy", new int[] {2}, List.of("a", "b", "c", "d", "e"));
        }

        @Override
        public int size(Split split) {
            return n;
        }

        @Override
        public int read(Split split, int index, float[] features, int offset, Generator generator) {
            if (index == failAt) {
                throw new IllegalStateException("toy: example " + index + " is unreadable");
            }
            features[offset] = index;
            features[offset + 1] = index + (generator == null ? 0 : (float) generator.nextDouble());
            return index % 5;
        }
    }

    private static BatchLoader.Builder toy(int n) {
        return BatchLoader.builder(new Toy(n, -1), Split.TRAIN, ENGINE).batchSize(4).seed(11);
    }

    /** All batches of an epoch as (features, labels) arrays. */
    private static List<float[]> drain(BatchLoader loader, int epoch, int start) {
        List<float[]> out = new ArrayList<>();
        try (BatchLoader.Epoch e = loader.epoch(epoch, start)) {
            while (e.hasNext()) {
                BatchLoader.Batch b = e.next();
                out.add(b.features().toFloatArray());
                long[] labels = b.targets().toLongArray();
                float[] f = b.features().toFloatArray();
                for (int i = 0; i < b.size(); i++) {
                    assertEquals(((int) f[2 * i]) % 5, labels[i]);
                }
            }
        }
        return out;
    }

    @Test
    void everyEpochServesAPermutationInBatchesWithAPartialLastBatch() {
        BatchLoader loader = toy(10).build();
        assertEquals(3, loader.batchesPerEpoch());
        List<float[]> batches = drain(loader, 0, 0);
        assertEquals(List.of(8, 8, 4), batches.stream().map(b -> b.length).toList());
        boolean[] seen = new boolean[10];
        for (float[] b : batches) {
            for (int i = 0; i < b.length; i += 2) {
                assertFalse(seen[(int) b[i]]);
                seen[(int) b[i]] = true;
            }
        }
        assertEquals(3, toy(11).dropLast(false).build().batchesPerEpoch());
        assertEquals(2, toy(11).dropLast(true).build().batchesPerEpoch());
        assertEquals(2, drain(toy(11).dropLast(true).build(), 0, 0).size());
    }

    @Test
    void orderIsSeededAndDiffersBetweenEpochs() {
        BatchLoader a = toy(100).build();
        assertArrayEquals(a.order(3), toy(100).build().order(3));
        assertFalse(Arrays.equals(a.order(3), a.order(4)));
        assertFalse(Arrays.equals(a.order(3), toy(100).seed(12).build().order(3)));
        int[] identity = new int[100];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, toy(100).shuffle(false).build().order(3));
    }

    @Test
    void resumingFromACursorGivesTheRestOfTheEpochExactly() {
        List<float[]> full = drain(toy(50).build(), 2, 0);
        List<float[]> tail = drain(toy(50).build(), 2, 5);
        assertEquals(full.size() - 5, tail.size());
        for (int i = 0; i < tail.size(); i++) {
            assertArrayEquals(full.get(5 + i), tail.get(i));
        }
    }

    @Test
    void prefetchingGivesTheSameBatchesAsReadingInline() {
        List<float[]> inline = drain(toy(37).prefetch(0).build(), 1, 0);
        List<float[]> prefetched = drain(toy(37).prefetch(3).build(), 1, 0);
        assertEquals(inline.size(), prefetched.size());
        for (int i = 0; i < inline.size(); i++) {
            assertArrayEquals(inline.get(i), prefetched.get(i));
        }
        // augmentation happened (a generator was passed) and differs between epochs
        float[] b = inline.get(0);
        assertNotEquals(b[0], b[1]);
        assertFalse(Arrays.equals(b, drain(toy(37).prefetch(0).build(), 2, 0).get(0)));
    }

    @Test
    void augmentationIsOffForOtherSplitsOrWhenDisabled() {
        for (BatchLoader loader : List.of(BatchLoader.builder(new Toy(8, -1), Split.TEST, ENGINE).batchSize(4).build(),
                toy(8).augment(false).build())) {
            for (float[] b : drain(loader, 0, 0)) {
                for (int i = 0; i < b.length; i += 2) {
                    assertEquals(b[i], b[i + 1]);
                }
            }
        }
    }

    @Test
    void readerFailureSurfacesOnTheConsumerWithItsCause() {
        BatchLoader loader = BatchLoader.builder(new Toy(40, 17), Split.TEST, ENGINE).batchSize(4).shuffle(false).build();
        try (BatchLoader.Epoch e = loader.epoch(0, 0)) {
            for (int i = 0; i < 4; i++) {
                e.next();
            }
            IllegalStateException thrown = assertThrows(IllegalStateException.class, e::next);
            assertTrue(thrown.getMessage().startsWith("reading batch 4 of epoch 0 of toy (TEST) failed"), thrown.getMessage());
            assertEquals("toy: example 17 is unreadable", thrown.getCause().getMessage());
            assertFalse(e.hasNext());
        }
    }

    @Test
    void closingMidEpochStopsTheReaderThread() {
        BatchLoader loader = toy(10_000).prefetch(2).build();
        BatchLoader.Epoch e = loader.epoch(0, 0);
        e.next();
        e.close();
        assertFalse(e.readerAlive());
        assertFalse(e.hasNext());
        // a new epoch reuses the buffers and starts a fresh reader
        try (BatchLoader.Epoch next = loader.epoch(1, 0)) {
            assertEquals(4, next.next().size());
            assertEquals(1, next.cursor());
        }
        BatchLoader.Epoch again = loader.epoch(2, 0);
        loader.close();
        assertFalse(again.readerAlive());
    }

    @Test
    void oneHotTargetsAreFloatRows() {
        BatchLoader loader = toy(6).shuffle(false).oneHot(true).build();
        try (BatchLoader.Epoch e = loader.epoch(0, 0)) {
            BatchLoader.Batch b = e.next();
            assertArrayEquals(new int[] {4, 5}, b.targets().shape());
            float[] t = b.targets().toFloatArray();
            assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0}, t);
            assertArrayEquals(new int[] {4, 2}, b.features().shape());
            assertSame(null, null);
        }
    }
}
