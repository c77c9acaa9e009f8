package dev.gannet.runtime.cuda;

import static dev.gannet.cuda.CudaException.check;

import dev.gannet.cuda.CudaDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * CUDA graphs of decode steps, one per (batch bucket, context bucket) of {@link GraphBuckets}, captured the first
 * time that shape is needed and replayed after: one launch instead of ~12 per layer. Every kernel argument of a
 * captured step is a fixed device address or a size fixed by the shape; what changes from step to step (tokens,
 * positions, slots, block tables, context lengths) is copied into the same input region before each replay. A
 * shape whose capture failed is not tried again; its steps run eagerly. One owner thread.
 */
final class DecodeGraphs implements AutoCloseable {
    private static final int CONTEXT_SLOTS = 32; // context buckets are indexed by ceil(log2)

    private final CudaContext cuda;
    private final GraphBuckets buckets;
    private final MemorySegment[][] execs;   // [batch bucket index][ceil log2 context] CUgraphExec
    private final MemorySegment[][] graphs;  // the captured CUgraph, kept to destroy
    private final boolean[][] failed;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
    private int captured;

    DecodeGraphs(CudaContext cuda, GraphBuckets buckets) {
        this.cuda = cuda;
        this.buckets = buckets;
        int n = buckets.batches().size();
        execs = new MemorySegment[n][CONTEXT_SLOTS];
        graphs = new MemorySegment[n][CONTEXT_SLOTS];
        failed = new boolean[n][CONTEXT_SLOTS];
    }

    private int batchIndex(int bucket) {
        for (int i = 0; i < buckets.batches().size(); i++) {
            if (buckets.batches().get(i) == bucket) return i;
        }
        throw new IllegalArgumentException("no batch bucket " + bucket);
    }

    private static int contextIndex(int context) {
        return 32 - Integer.numberOfLeadingZeros(context - 1);
    }

    boolean ready(int bucket, int context) {
        return execs[batchIndex(bucket)][contextIndex(context)] != null;
    }

    /** Graphs captured so far. */
    int captured() {
        return captured;
    }

    /**
     * Captures {@code enqueue} (which must only launch work on the context's stream) as the graph of this shape.
     * Returns false, leaving the stream usable, when the capture fails; the shape then stays eager.
     */
    boolean capture(int bucket, int context, Runnable enqueue) {
        int b = batchIndex(bucket), c = contextIndex(context);
        if (failed[b][c]) return false;
        MemorySegment stream = cuda.stream();
        check(CudaDriver.cuStreamBeginCapture_v2(stream, CudaDriver.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture_v2");
        MemorySegment graph;
        try {
            enqueue.run();
        } catch (RuntimeException e) {
            endQuietly(stream);
            failed[b][c] = true;
            return false;
        }
        int rc = CudaDriver.cuStreamEndCapture(stream, out);
        if (rc != CudaDriver.CUDA_SUCCESS) {
            failed[b][c] = true;
            return false;
        }
        graph = out.get(ValueLayout.ADDRESS, 0);
        rc = CudaDriver.cuGraphInstantiateWithFlags(out, graph, 0);
        if (rc != CudaDriver.CUDA_SUCCESS) {
            CudaDriver.cuGraphDestroy(graph);
            failed[b][c] = true;
            if (rc == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY) check(rc, "cuGraphInstantiateWithFlags"); // the caller reports it
            return false;
        }
        graphs[b][c] = graph;
        execs[b][c] = out.get(ValueLayout.ADDRESS, 0);
        captured++;
        return true;
    }

    private void endQuietly(MemorySegment stream) {
        if (CudaDriver.cuStreamEndCapture(stream, out) == CudaDriver.CUDA_SUCCESS) {
            MemorySegment g = out.get(ValueLayout.ADDRESS, 0);
            if (g.address() != 0) CudaDriver.cuGraphDestroy(g);
        }
    }

    /** Enqueues the captured graph of this shape on the stream. */
    void launch(int bucket, int context) {
        MemorySegment exec = execs[batchIndex(bucket)][contextIndex(context)];
        if (exec == null) throw new IllegalStateException("no graph for batch " + bucket + ", context " + context);
        check(CudaDriver.cuGraphLaunch(exec, cuda.stream()), "cuGraphLaunch");
    }

    @Override
    public void close() {
        try {
            for (int b = 0; b < execs.length; b++) {
                for (int c = 0; c < CONTEXT_SLOTS; c++) {
                    if (execs[b][c] != null) CudaDriver.cuGraphExecDestroy(execs[b][c]);
                    if (graphs[b][c] != null) CudaDriver.cuGraphDestroy(graphs[b][c]);
                }
            }
        } finally {
            arena.close();
        }
    }
}
