package dev.kiln.engine.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Wraps a backend so that every call is timed into an {@link OpProfile} ({@code kiln run --profile}): the calls
 * and their results are the wrapped backend's, unchanged. A call costs well under a microsecond more, which
 * matters only for the smallest ops; the profile is for finding where a step's time goes, not for benchmarks.
 */
public final class ProfilingBackend {

    private static final Set<String> UNTIMED = Set.of("name", "rank", "threads", "describe", "toString", "hashCode", "equals");

    private ProfilingBackend() {
    }

    /** {@code backend} with each compute and memory call timed into {@code profile}. */
    public static Backend wrap(Backend backend, OpProfile profile) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (UNTIMED.contains(method.getName())) {
                return invoke(backend, method, args);
            }
            long t0 = System.nanoTime();
            try {
                return invoke(backend, method, args);
            } finally {
                profile.add(key(method, args), System.nanoTime() - t0);
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    private static Object invoke(Backend backend, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(backend, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The method, with the operator, geometry or output shape that tells its calls apart. */
    static String key(Method method, Object[] args) {
        StringBuilder k = new StringBuilder(method.getName());
        if (args == null) {
            return k.toString();
        }
        if (args.length > 0 && args[0] instanceof Enum<?> op) {
            k.append(' ').append(op.name());
        }
        for (Object a : args) {
            if (a instanceof ConvGeometry g) {
                k.append(' ').append(g.n()).append('x').append(g.cIn()).append('x').append(g.h()).append('x').append(g.w())
                        .append("->").append(g.cOut()).append('x').append(g.outH()).append('x').append(g.outW())
                        .append(" k").append(g.kH()).append('x').append(g.kW());
            } else if (a instanceof PoolGeometry g) {
                k.append(' ').append(g.n()).append('x').append(g.c()).append('x').append(g.h()).append('x').append(g.w())
                        .append("->").append(g.outH()).append('x').append(g.outW());
            }
        }
        switch (method.getName()) {
            case "binary", "where" -> k.append(' ').append(shape((int[]) args[args.length - 1]));
            case "copyStrided" -> k.append(' ').append(shape((int[]) args[6]));
            case "unary" -> k.append(" n=").append(args[3]);
            case "reduce", "logSoftmax" -> k.append(' ').append(args[args.length - 3]).append('x').append(args[args.length - 2])
                    .append('x').append(args[args.length - 1]);
            case "matmul" -> k.append(' ').append(args[7]).append('x').append(args[8]).append('x').append(args[9]).append('x')
                    .append(args[10]).append(Boolean.TRUE.equals(args[2]) ? " tA" : "").append(Boolean.TRUE.equals(args[5]) ? " tB" : "");
            default -> {
            }
        }
        return k.toString();
    }

    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : "x").append(s[i]);
        }
        return b.toString();
    }
}
