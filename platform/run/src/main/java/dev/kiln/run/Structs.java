package dev.kiln.run;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.kiln.model.MapParams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Protobuf {@code Struct} parameters as the plain maps {@link MapParams} reads. */
final class Structs {

    private Structs() {
    }

    static MapParams params(String path, Struct struct) {
        return new MapParams(path, toMap(struct));
    }

    static Map<String, Object> toMap(Struct struct) {
        Map<String, Object> out = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    private static Object plain(Value v) {
        return switch (v.getKindCase()) {
            case NUMBER_VALUE -> v.getNumberValue();
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case STRUCT_VALUE -> toMap(v.getStructValue());
            case LIST_VALUE -> list(v.getListValue());
            default -> null;
        };
    }

    private static List<Object> list(ListValue l) {
        List<Object> out = new ArrayList<>();
        l.getValuesList().forEach(v -> out.add(plain(v)));
        return out;
    }
}
