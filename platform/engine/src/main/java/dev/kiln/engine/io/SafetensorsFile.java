package dev.kiln.engine.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The contents of a safetensors file: its tensors by name, in header order, and its string metadata.
 */
public record SafetensorsFile(Map<String, StoredTensor> tensors, Map<String, String> metadata) {

    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor of that name; throws, listing the names present, when there is none. */
    public StoredTensor tensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new NoSuchElementException("no tensor '" + name + "'; the file holds " + tensors.keySet());
        }
        return t;
    }

    /** The metadata value of that key; throws, listing the keys present, when there is none. */
    public String metadata(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new NoSuchElementException("no metadata '" + key + "'; the file holds " + metadata.keySet());
        }
        return v;
    }
}
