package dev.kiln.engine;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.backend.OpProfile;
import dev.kiln.engine.backend.ProfilingBackend;
import dev.kiln.engine.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A profiled backend computes exactly what the wrapped one does and counts every call under a telling key. */
class ProfilingBackendTest {

    private static float[] step(Engine e) {
        try (MemoryScope scope = e.scope()) {
            Tensor x = e.arange(2 * 3 * 6 * 6, DType.FLOAT32).reshape(2, 3, 6, 6).div(50.0).requiresGrad(true);
            Tensor w = e.ones(DType.FLOAT32, 4, 3, 3, 3).mul(0.1).requiresGrad(true);
            Tensor y = x.conv2d(w, null, dev.kiln.api.tensor.Conv2dOptions.of(1, 1)).relu().mul(x.sum());
            y.sum().backward();
            return w.grad().toFloatArray();
        }
    }

    @Test
    void sameResultsAndACountForEveryCall() {
        OpProfile profile = new OpProfile();
        float[] plain = step(new Engine(new ReferenceBackend()));
        float[] profiled = step(new Engine(ProfilingBackend.wrap(new ReferenceBackend(), profile)));
        assertArrayEquals(plain, profiled);

        Map<String, OpProfile.Row> rows = new java.util.HashMap<>();
        profile.rows().forEach(r -> rows.put(r.key(), r));
        assertTrue(rows.containsKey("conv2d 2x3x6x6->4x6x6 k3x3"), rows.keySet().toString());
        assertTrue(rows.containsKey("conv2dBackwardWeight 2x3x6x6->4x6x6 k3x3"), rows.keySet().toString());
        assertTrue(rows.containsKey("unary RELU n=288"), rows.keySet().toString());
        assertTrue(rows.keySet().stream().anyMatch(k -> k.startsWith("binary MUL 2x4x6x6")), rows.keySet().toString());
        assertEquals(1, rows.get("conv2d 2x3x6x6->4x6x6 k3x3").calls());
        assertTrue(profile.totalNanos() > 0);
        assertEquals(profile.totalNanos(), profile.rows().stream().mapToLong(OpProfile.Row::nanos).sum());

        Map<String, Object> report = profile.report(10.0);
        assertEquals(10.0, report.get("wall_seconds"));
        List<?> ops = (List<?>) report.get("ops");
        assertEquals(rows.size(), ops.size());
        List<String> table = profile.table(3);
        assertEquals(4, table.size(), "a header and three rows: " + table);
    }

    @Test
    void errorsOfTheWrappedBackendPassThroughUnwrapped() {
        Engine e = new Engine(ProfilingBackend.wrap(new ReferenceBackend(), new OpProfile()));
        IllegalArgumentException err = assertThrows(IllegalArgumentException.class, () -> e.backendImpl().allocate(DType.FLOAT32, -1));
        assertTrue(err.getMessage().contains("-1"), err.getMessage());
    }
}
