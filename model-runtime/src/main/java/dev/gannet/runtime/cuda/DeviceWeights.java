package dev.gannet.runtime.cuda;

import dev.gannet.runtime.model.ForwardPass;
import dev.gannet.runtime.model.LayerWeights;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of one model (or one tensor-parallel rank's slice of it) in device memory, uploaded once: each matrix
 * as {@link DeviceMatrix#formatFor} says, gate and up stacked into one (2 ffn, dim) matrix so that one GEMM feeds
 * SwiGLU, norms and biases in the activation dtype, the token embedding dense (it is gathered, not multiplied).
 * A tied LM head that is the embedding itself, dense, shares its device copy. {@link #plannedBytes} gives the size
 * before anything is allocated.
 */
final class DeviceWeights {
    /** One layer's device pointers and matrices. */
    record Layer(long attnNorm, DeviceMatrix wq, DeviceMatrix wk, DeviceMatrix wv, DeviceMatrix wo,
                 long bq, long bk, long bv, long ffnNorm, DeviceMatrix gateUp, DeviceMatrix down) {}

    private static final long STAGING_BYTES = 32L << 20;

    final long embedding;      // (vocab, dim) dtype
    final long outputNorm;     // (dim) dtype
    final DeviceMatrix lmHead; // (vocab rows of the slice, dim)
    final List<Layer> layers;
    final long bytes;

    private DeviceWeights(long embedding, long outputNorm, DeviceMatrix lmHead, List<Layer> layers, long bytes) {
        this.embedding = embedding;
        this.outputNorm = outputNorm;
        this.lmHead = lmHead;
        this.layers = List.copyOf(layers);
        this.bytes = bytes;
    }

    /** The format gate and up share: theirs when equal, else dense (a mixed pair is converted). */
    static DeviceMatrix.Format gateUpFormat(LayerWeights w) {
        DeviceMatrix.Format g = DeviceMatrix.formatFor(w.gate().type()), u = DeviceMatrix.formatFor(w.up().type());
        return g == u ? g : DeviceMatrix.Format.DENSE;
    }

    /** Bytes {@link #upload} will allocate for this slice, each allocation rounded as {@link DeviceArena} does. */
    static long plannedBytes(Model model, ForwardPass.Slice slice, DeviceDtype t) {
        ModelConfig c = model.config();
        long vec = DeviceArena.align((long) c.dim() * t.bytes());
        long total = DeviceArena.align((long) c.vocabSize() * c.dim() * t.bytes()) + vec;
        if (!sharesEmbedding(model, slice)) total += DeviceArena.align(matrixBytes(slice.lmHead(), t));
        for (LayerWeights w : slice.layers()) {
            total += 2 * vec + matrixBytes(w.wq(), t) + matrixBytes(w.wk(), t) + matrixBytes(w.wv(), t) + matrixBytes(w.wo(), t)
                    + matrixBytes(w.down(), t);
            total += DeviceArena.align(2 * w.gate().rows() * DeviceMatrix.rowBytes(gateUpFormat(w), w.gate().cols(), t));
            if (w.bq() != null) {
                total += DeviceArena.align((long) w.bq().length * t.bytes()) + 2 * DeviceArena.align((long) w.bk().length * t.bytes());
            }
        }
        return total;
    }

    private static long matrixBytes(WeightMatrix w, DeviceDtype t) {
        return DeviceArena.align(w.rows() * DeviceMatrix.rowBytes(DeviceMatrix.formatFor(w.type()), w.cols(), t));
    }

    /** Tied embeddings kept dense: the LM head is the embedding matrix itself, so one device copy serves both. */
    private static boolean sharesEmbedding(Model model, ForwardPass.Slice slice) {
        return slice.lmHead() == model.tokenEmbedding() && DeviceMatrix.formatFor(slice.lmHead().type()) == DeviceMatrix.Format.DENSE;
    }

    /** Uploads the slice into {@code arena}; synchronous (returns when every byte is on the device). */
    static DeviceWeights upload(Model model, ForwardPass.Slice slice, DeviceDtype t, CudaContext cuda, DeviceArena arena) {
        long before = arena.bytes();
        try (Stager s = new Stager(cuda)) {
            ModelConfig c = model.config();
            DeviceMatrix emb = s.matrix(arena, model.tokenEmbedding(), DeviceMatrix.Format.DENSE, t);
            DeviceMatrix head = sharesEmbedding(model, slice) ? emb
                    : s.matrix(arena, slice.lmHead(), DeviceMatrix.formatFor(slice.lmHead().type()), t);
            long norm = s.vector(arena, model.outputNorm(), t);
            List<Layer> layers = new ArrayList<>(c.numLayers());
            for (LayerWeights w : slice.layers()) {
                DeviceMatrix.Format gu = gateUpFormat(w);
                long gateUp = arena.alloc(2 * w.gate().rows() * DeviceMatrix.rowBytes(gu, w.gate().cols(), t));
                s.rows(gateUp, w.gate(), gu, t);
                s.rowsAppended(w.up(), gu, t);
                boolean bias = w.bq() != null;
                layers.add(new Layer(s.vector(arena, w.attnNorm(), t), s.matrix(arena, w.wq(), t), s.matrix(arena, w.wk(), t),
                        s.matrix(arena, w.wv(), t), s.matrix(arena, w.wo(), t),
                        bias ? s.vector(arena, w.bq(), t) : 0, bias ? s.vector(arena, w.bk(), t) : 0, bias ? s.vector(arena, w.bv(), t) : 0,
                        s.vector(arena, w.ffnNorm(), t), new DeviceMatrix(gu, gateUp, 2 * w.gate().rows(), w.gate().cols()),
                        s.matrix(arena, w.down(), t)));
            }
            s.flush();
            return new DeviceWeights(emb.ptr(), norm, head, layers, arena.bytes() - before);
        }
    }

    /** Host-side staging: rows are written into one pinned buffer and copied out whenever it fills. */
    private static final class Stager implements AutoCloseable {
        private final CudaContext cuda;
        private final PinnedBuffer staging;
        private final HostRows rows = new HostRows();
        private long fill;   // bytes staged
        private long target; // device address of staging[0]

        Stager(CudaContext cuda) {
            this.cuda = cuda;
            this.staging = PinnedBuffer.allocate(STAGING_BYTES);
        }

        DeviceMatrix matrix(DeviceArena arena, WeightMatrix w, DeviceDtype t) {
            return matrix(arena, w, DeviceMatrix.formatFor(w.type()), t);
        }

        DeviceMatrix matrix(DeviceArena arena, WeightMatrix w, DeviceMatrix.Format f, DeviceDtype t) {
            long p = arena.alloc(w.rows() * DeviceMatrix.rowBytes(f, w.cols(), t));
            rows(p, w, f, t);
            return new DeviceMatrix(f, p, w.rows(), w.cols());
        }

        long vector(DeviceArena arena, float[] v, DeviceDtype t) {
            long p = arena.alloc((long) v.length * t.bytes());
            start(p);
            HostRows.floats(v, 0, v.length, t, reserve((long) v.length * t.bytes()), 0);
            return p;
        }

        /** All rows of w, starting at device address p. */
        void rows(long p, WeightMatrix w, DeviceMatrix.Format f, DeviceDtype t) {
            start(p);
            rowsAppended(w, f, t);
        }

        /** All rows of w, right after what was staged last. */
        void rowsAppended(WeightMatrix w, DeviceMatrix.Format f, DeviceDtype t) {
            long rowBytes = DeviceMatrix.rowBytes(f, w.cols(), t);
            for (int r = 0; r < w.rows(); r++) rows.write(w, r, f, t, reserve(rowBytes), 0);
        }

        private void start(long p) {
            flush();
            target = p;
        }

        /** {@code bytes} of staging for the next row, copying the staged bytes out first when they would not fit. */
        private MemorySegment reserve(long bytes) {
            if (bytes > staging.size()) throw new IllegalArgumentException("a row of " + bytes + " bytes exceeds the staging buffer");
            if (fill + bytes > staging.size()) flush();
            MemorySegment s = staging.segment().asSlice(fill, bytes);
            fill += bytes;
            return s;
        }

        void flush() {
            if (fill == 0) return;
            staging.copyToDevice(0, target, fill, cuda);
            cuda.synchronize(); // the buffer is refilled next
            target += fill;
            fill = 0;
        }

        @Override
        public void close() {
            staging.close();
        }
    }
}
