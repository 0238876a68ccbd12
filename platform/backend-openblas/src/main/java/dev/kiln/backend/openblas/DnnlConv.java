package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.engine.backend.ConvGeometry;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * float32 convolutions through oneDNN's C API. One {@link Plan} per (geometry, pass) is built on
 * first use and cached: primitive, memory objects for the caller's row-major buffers (their data
 * handles are re-aimed per call), and, where oneDNN prefers a blocked layout, the internal buffers
 * and reorder primitives. A call then costs a handful of JNI calls and no allocation.
 *
 * <p>Execution is serialised on this object: one oneDNN stream, and the internal buffers belong to
 * the plan.
 */
final class DnnlConv implements AutoCloseable {

    /** Memory formats given to oneDNN. */
    enum Layout {
        /** nchw / oihw exactly as the engine stores them: no reorders. */
        PLAIN,
        /** Let oneDNN pick (blocked) formats, with reorders to and from the row-major buffers. */
        BLOCKED
    }

    static final int FWD = 0;
    static final int FWD_BIAS = 1;
    static final int BWD_DATA = 2;
    static final int BWD_WEIGHTS = 3;

    /** Marks a pass oneDNN cannot do for a geometry (the caller falls back to the reference). */
    private static final Plan UNSUPPORTED = new Plan();

    private final dnnl_engine engine = new dnnl_engine();
    private final dnnl_stream stream = new dnnl_stream();
    private final Map<ConvGeometry, Plan[]> plans = new ConcurrentHashMap<>();
    private final List<Plan> all = new ArrayList<>();
    private final Ptrs.Addr handle = new Ptrs.Addr();
    private final Layout[] layouts;
    private long internalBytes;
    private boolean closed;

    /** @param layouts the layout for each pass, indexed by FWD, FWD_BIAS, BWD_DATA, BWD_WEIGHTS */
    DnnlConv(Layout[] layouts) {
        this.layouts = layouts.clone();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "dnnl_engine_create");
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "dnnl_stream_create");
    }

    /** Runs the pass; returns false when oneDNN has no implementation for this geometry. */
    synchronized boolean run(int pass, ConvGeometry g, long a0, long a1, long a2, long a3) {
        if (closed) {
            throw new IllegalStateException("backend closed");
        }
        Plan[] byPass = plans.get(g);
        if (byPass == null) {
            byPass = new Plan[4];
            plans.put(g, byPass);
        }
        Plan p = byPass[pass];
        if (p == null) {
            p = create(pass, g);
            byPass[pass] = p;
            if (p != UNSUPPORTED) {
                all.add(p);
            }
        }
        if (p == UNSUPPORTED) {
            return false;
        }
        Operand[] ops = p.operands;
        for (int i = 0; i < ops.length; i++) {
            long addr = i == 0 ? a0 : i == 1 ? a1 : i == 2 ? a2 : a3;
            check(dnnl_memory_set_data_handle(ops[i].user, handle.at(addr)), "dnnl_memory_set_data_handle");
        }
        for (Operand op : ops) {
            if (op.reorder != null && !op.output) {
                check(dnnl_primitive_execute(op.reorder, stream, 2, op.reorderArgs), "reorder");
            }
        }
        check(dnnl_primitive_execute(p.primitive, stream, p.nargs, p.args), "convolution");
        for (Operand op : ops) {
            if (op.reorder != null && op.output) {
                check(dnnl_primitive_execute(op.reorder, stream, 2, op.reorderArgs), "reorder");
            }
        }
        check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        return true;
    }

    /** What oneDNN runs for a pass of a geometry (for benchmarks); builds the plan if needed. */
    synchronized String implementation(int pass, ConvGeometry g) {
        Plan[] byPass = plans.computeIfAbsent(g, k -> new Plan[4]);
        if (byPass[pass] == null) {
            byPass[pass] = create(pass, g);
            if (byPass[pass] != UNSUPPORTED) {
                all.add(byPass[pass]);
            }
        }
        Plan p = byPass[pass];
        return p == UNSUPPORTED ? "unsupported" : p.impl + (p.reorders > 0 ? " +" + p.reorders + " reorders" : "");
    }

    synchronized long internalBytes() {
        return internalBytes;
    }

    synchronized int planCount() {
        return all.size();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Plan p : all) {
            p.destroy();
        }
        all.clear();
        plans.clear();
        internalBytes = 0;
        dnnl_stream_destroy(stream);
        dnnl_engine_destroy(engine);
    }

    // ---- plan construction --------------------------------------------------------------------

    private static final class Operand {
        final boolean output;
        dnnl_memory user = new dnnl_memory();
        dnnl_memory inner;
        dnnl_primitive reorder;
        dnnl_primitive_desc reorderPd;
        dnnl_exec_arg_t reorderArgs;
        Pointer buffer;

        Operand(boolean output) {
            this.output = output;
        }
    }

    private static final class Plan {
        Operand[] operands;
        dnnl_primitive_desc pd;
        dnnl_primitive_desc hint;
        dnnl_primitive primitive;
        dnnl_exec_arg_t args;
        int nargs;
        String impl;
        int reorders;
        final List<dnnl_memory_desc> mds = new ArrayList<>();

        void destroy() {
            for (Operand op : operands) {
                if (op.reorder != null) {
                    dnnl_primitive_destroy(op.reorder);
                    dnnl_primitive_desc_destroy(op.reorderPd);
                    dnnl_memory_destroy(op.inner);
                    Pointer.free(op.buffer);
                }
                dnnl_memory_destroy(op.user);
            }
            dnnl_primitive_destroy(primitive);
            dnnl_primitive_desc_destroy(pd);
            if (hint != null) {
                dnnl_primitive_desc_destroy(hint);
            }
            for (dnnl_memory_desc md : mds) {
                dnnl_memory_desc_destroy(md);
            }
            args.close();
        }
    }

    private dnnl_memory_desc md(Plan p, long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag), "dnnl_memory_desc_create_with_tag");
        p.mds.add(md);
        return md;
    }

    private Plan create(int pass, ConvGeometry g) {
        Conv2dOptions o = g.options();
        boolean blocked = layouts[pass] == Layout.BLOCKED;
        Plan p = new Plan();
        long[] srcDims = {g.n(), g.cIn(), g.h(), g.w()};
        long[] dstDims = {g.n(), g.cOut(), g.outH(), g.outW()};
        int groups = g.groups();
        long[] wDims = groups == 1
                ? new long[]{g.cOut(), g.cIn(), g.kH(), g.kW()}
                : new long[]{groups, g.cOutPerGroup(), g.cInPerGroup(), g.kH(), g.kW()};
        int wTag = groups == 1 ? dnnl_oihw : dnnl_goihw;
        dnnl_memory_desc srcUser = md(p, srcDims, dnnl_nchw);
        dnnl_memory_desc dstUser = md(p, dstDims, dnnl_nchw);
        dnnl_memory_desc wUser = md(p, wDims, wTag);
        dnnl_memory_desc biasUser = md(p, new long[]{g.cOut()}, dnnl_x);
        dnnl_memory_desc srcAny = blocked ? md(p, srcDims, dnnl_format_tag_any) : srcUser;
        dnnl_memory_desc dstAny = blocked ? md(p, dstDims, dnnl_format_tag_any) : dstUser;
        dnnl_memory_desc wAny = blocked ? md(p, wDims, dnnl_format_tag_any) : wUser;

        // PyTorch pads symmetrically; oneDNN checks (in + l + r - extent) / stride + 1 == out with floor
        // division, so the right padding equal to the left one is consistent.
        int status;
        try (LongPointer strides = new LongPointer(o.strideH(), o.strideW());
             LongPointer dil = new LongPointer(o.dilationH() - 1, o.dilationW() - 1);
             LongPointer padL = new LongPointer(o.padH(), o.padW());
             LongPointer padR = new LongPointer(padRight(g.h(), o.padH(), g.kH(), o.dilationH(), o.strideH(), g.outH()),
                     padRight(g.w(), o.padW(), g.kW(), o.dilationW(), o.strideW(), g.outW()))) {
            if (pass == FWD || pass == FWD_BIAS) {
                p.pd = new dnnl_primitive_desc();
                status = dnnl_convolution_forward_primitive_desc_create(p.pd, engine, dnnl_forward_training,
                        dnnl_convolution_direct, srcAny, wAny, pass == FWD_BIAS ? biasUser : null, dstAny,
                        strides, dil, padL, padR, null);
            } else {
                p.hint = new dnnl_primitive_desc();
                status = dnnl_convolution_forward_primitive_desc_create(p.hint, engine, dnnl_forward_training,
                        dnnl_convolution_direct, srcAny, wAny, null, dstAny, strides, dil, padL, padR, null);
                if (status == dnnl_success) {
                    p.pd = new dnnl_primitive_desc();
                    status = pass == BWD_DATA
                            ? dnnl_convolution_backward_data_primitive_desc_create(p.pd, engine, dnnl_convolution_direct,
                                    srcAny, wAny, dstAny, strides, dil, padL, padR, p.hint, null)
                            : dnnl_convolution_backward_weights_primitive_desc_create(p.pd, engine, dnnl_convolution_direct,
                                    srcAny, wAny, null, dstAny, strides, dil, padL, padR, p.hint, null);
                } else {
                    p.hint = null;
                }
            }
        }
        if (status != dnnl_success) {
            for (dnnl_memory_desc d : p.mds) {
                dnnl_memory_desc_destroy(d);
            }
            return UNSUPPORTED;
        }
        List<Operand> ops = new ArrayList<>();
        List<int[]> argIds = new ArrayList<>();
        List<dnnl_memory> argMems = new ArrayList<>();
        switch (pass) {
            case FWD, FWD_BIAS -> {
                // call order: x, weight, [bias], out
                bind(p, ops, argIds, argMems, DNNL_ARG_SRC, srcUser, dnnl_query_src_md, false);
                bind(p, ops, argIds, argMems, DNNL_ARG_WEIGHTS, wUser, dnnl_query_weights_md, false);
                if (pass == FWD_BIAS) {
                    bind(p, ops, argIds, argMems, DNNL_ARG_BIAS, biasUser, dnnl_query_weights_md, false);
                }
                bind(p, ops, argIds, argMems, DNNL_ARG_DST, dstUser, dnnl_query_dst_md, true);
            }
            case BWD_DATA -> {
                // call order: gradOut, weight, gradIn
                bind(p, ops, argIds, argMems, DNNL_ARG_DIFF_DST, dstUser, dnnl_query_diff_dst_md, false);
                bind(p, ops, argIds, argMems, DNNL_ARG_WEIGHTS, wUser, dnnl_query_weights_md, false);
                bind(p, ops, argIds, argMems, DNNL_ARG_DIFF_SRC, srcUser, dnnl_query_diff_src_md, true);
            }
            default -> {
                // call order: x, gradOut, gradWeight
                bind(p, ops, argIds, argMems, DNNL_ARG_SRC, srcUser, dnnl_query_src_md, false);
                bind(p, ops, argIds, argMems, DNNL_ARG_DIFF_DST, dstUser, dnnl_query_diff_dst_md, false);
                bind(p, ops, argIds, argMems, DNNL_ARG_DIFF_WEIGHTS, wUser, dnnl_query_diff_weights_md, true);
            }
        }
        p.operands = ops.toArray(new Operand[0]);
        p.nargs = argIds.size();
        p.args = new dnnl_exec_arg_t(p.nargs);
        for (int i = 0; i < p.nargs; i++) {
            p.args.getPointer(i).arg(argIds.get(i)[0]).memory(argMems.get(i));
        }
        p.primitive = new dnnl_primitive();
        check(dnnl_primitive_create(p.primitive, p.pd), "dnnl_primitive_create");
        p.impl = implInfo(p.pd);
        return p;
    }

    /** Binds one call argument: a user memory, plus an internal one and a reorder when oneDNN wants another layout. */
    private void bind(Plan p, List<Operand> ops, List<int[]> argIds, List<dnnl_memory> argMems,
                      int arg, dnnl_memory_desc userMd, int query, boolean output) {
        Operand op = new Operand(output);
        check(dnnl_memory_create(op.user, userMd, engine, null), "dnnl_memory_create");
        dnnl_memory_desc want = arg == DNNL_ARG_BIAS ? userMd : dnnl_primitive_desc_query_md(p.pd, query, 0);
        if (want == null || want.isNull() || dnnl_memory_desc_equal(want, userMd) == 1) {
            op.inner = op.user;
        } else {
            long size = dnnl_memory_desc_get_size(want);
            op.buffer = Pointer.malloc(size + 64);
            if (op.buffer == null || op.buffer.isNull()) {
                throw new OutOfMemoryError("oneDNN internal buffer of " + size + " bytes");
            }
            internalBytes += size + 64;
            long aligned = (op.buffer.address() + 63) & ~63L;
            op.inner = new dnnl_memory();
            check(dnnl_memory_create(op.inner, want, engine, new Ptrs.Addr().at(aligned)), "dnnl_memory_create");
            op.reorderPd = new dnnl_primitive_desc();
            check(output
                    ? dnnl_reorder_primitive_desc_create(op.reorderPd, want, engine, userMd, engine, null)
                    : dnnl_reorder_primitive_desc_create(op.reorderPd, userMd, engine, want, engine, null), "reorder pd");
            op.reorder = new dnnl_primitive();
            check(dnnl_primitive_create(op.reorder, op.reorderPd), "dnnl_primitive_create(reorder)");
            op.reorderArgs = new dnnl_exec_arg_t(2);
            op.reorderArgs.getPointer(0).arg(DNNL_ARG_FROM).memory(output ? op.inner : op.user);
            op.reorderArgs.getPointer(1).arg(DNNL_ARG_TO).memory(output ? op.user : op.inner);
            p.reorders++;
        }
        ops.add(op);
        argIds.add(new int[]{arg});
        argMems.add(op.inner);
    }

    private static long padRight(int in, int padL, int k, int dil, int stride, int out) {
        // smallest right padding that yields `out` positions; the floor in PyTorch's formula drops the rest
        long extent = (long) (k - 1) * dil + 1;
        long needed = (long) (out - 1) * stride + extent - in - padL;
        return Math.max(needed, Math.min(padL, needed + stride - 1));
    }

    private static String implInfo(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> pp = new PointerPointer<>(1)) {
            if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, pp) == dnnl_success) {
                return pp.getString(0);
            }
        }
        return "?";
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException(what + " failed: oneDNN status " + status);
        }
    }
}
