package dev.gannet.runtime.model;

import dev.gannet.runtime.gguf.GgufException;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.nio.file.Path;
import java.util.Arrays;

/** Tensors of a GGUF file; ggml shapes list the innermost dimension first, so a (rows, cols) weight is {cols, rows}. */
final class GgufTensorSource implements TensorSource {
    private final GgufFile gguf;

    GgufTensorSource(GgufFile gguf) {
        this.gguf = gguf;
    }

    GgufFile gguf() { return gguf; }

    @Override
    public Path path() { return gguf.path(); }

    @Override
    public boolean has(String name) { return gguf.tensors().containsKey(name); }

    @Override
    public WeightMatrix matrix(String name, int rows, int cols) throws GgufException {
        GgufTensorInfo t = gguf.tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != cols || s[1] != rows) {
            throw new GgufException(path(), "tensor " + name + ": expected ggml shape [" + cols + ", " + rows + "] ("
                    + rows + " rows x " + cols + " cols), got " + Arrays.toString(s));
        }
        if (!t.type().supported()) throw new GgufException(path(), TensorSource.unsupported(name, t.type()));
        return new WeightMatrix(name, t.type(), rows, cols, t.data());
    }

    @Override
    public float[] vector(String name, int n) throws GgufException {
        GgufTensorInfo t = gguf.tensor(name);
        if (t.shape().length != 1 || t.shape()[0] != n) {
            throw new GgufException(path(), "tensor " + name + ": expected shape [" + n + "], got " + Arrays.toString(t.shape()));
        }
        float[] f = TensorSource.toFloats(t.data(), t.type(), n);
        if (f == null) throw new GgufException(path(), "tensor " + name + ": 1-D tensor of type " + t.type() + " (expected F32, F16 or BF16)");
        return f;
    }

    @Override
    public void close() {
        gguf.close();
    }
}
