package dev.kiln.runtime;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Declarative Services' runtime DTOs to say why a component failed. The
 * {@code org.osgi.service.component.runtime} classes live in a bundle, not on the host class path,
 * so this goes through reflection on the public interface and public DTO fields.
 */
final class ScrDiagnostics {

    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final int FAILED_ACTIVATION = 16;
    private static final int UNSATISFIED_CONFIGURATION = 1;
    private static final int UNSATISFIED_REFERENCE = 2;

    private ScrDiagnostics() {
    }

    /** One line per failed or unsatisfied component of {@code bundle}; empty when all is well or unknown. */
    static List<String> failures(BundleContext ctx, Bundle bundle) {
        List<String> out = new ArrayList<>();
        ServiceReference<?> ref = ctx.getServiceReference(SCR);
        if (ref == null) {
            return out;
        }
        Object scr = ctx.getService(ref);
        try {
            Class<?> api = ref.getBundle().loadClass(SCR);
            Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
            Object descs = descriptions.invoke(scr, (Object) new Bundle[] {bundle});
            for (Object desc : (Iterable<?>) descs) {
                Method configurations = api.getMethod("getComponentConfigurationDTOs", desc.getClass());
                String component = (String) field(desc, "name");
                for (Object conf : (Iterable<?>) configurations.invoke(scr, desc)) {
                    int state = (Integer) field(conf, "state");
                    if (state == FAILED_ACTIVATION) {
                        out.add("component " + component + " failed to activate: " + firstLines((String) field(conf, "failure")));
                    } else if (state == UNSATISFIED_REFERENCE) {
                        Object refs = field(conf, "unsatisfiedReferences");
                        List<String> names = new ArrayList<>();
                        for (int i = 0; i < Array.getLength(refs); i++) {
                            names.add((String) field(Array.get(refs, i), "name"));
                        }
                        out.add("component " + component + " has unsatisfied references " + names);
                    } else if (state == UNSATISFIED_CONFIGURATION) {
                        out.add("component " + component + " requires a configuration");
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            out.add("(component diagnostics unavailable: " + e + ")");
        } finally {
            ctx.ungetService(ref);
        }
        return out;
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        Field f = dto.getClass().getField(name);
        return f.get(dto);
    }

    /** The exception line and the first frame of a stack trace text. */
    private static String firstLines(String failure) {
        if (failure == null) {
            return "(no failure text)";
        }
        String[] lines = failure.strip().split("\\R");
        StringBuilder sb = new StringBuilder(lines[0].strip());
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.startsWith("Caused by:")) {
                sb.append(" / ").append(l);
            }
        }
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("at ") && !t.startsWith("at org.apache.felix") && !t.startsWith("at java.") && !t.startsWith("at jdk.")) {
                sb.append(" (").append(t).append(')');
                break;
            }
        }
        return sb.toString();
    }
}
