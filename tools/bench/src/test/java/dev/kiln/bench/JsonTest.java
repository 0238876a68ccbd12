package dev.kiln.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {

    @Test
    void writesOrderedObjectsOnOneLine() {
        String line = Json.write(Json.object("case", "gemm-256", "pass", "fwd", "median_ms", 0.25, "iterations", 10,
                "shape", List.of(1, 2), "note", "a \"b\"\n", "missing", null, "nan", Double.NaN, "whole", 3.0));
        assertEquals("{\"case\": \"gemm-256\", \"pass\": \"fwd\", \"median_ms\": 0.25, \"iterations\": 10, \"shape\": [1, 2], "
                + "\"note\": \"a \\\"b\\\"\\n\", \"missing\": null, \"nan\": null, \"whole\": 3}", line);
    }
}
