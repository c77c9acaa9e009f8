package dev.gannet.runtime.model;

import dev.gannet.runtime.safetensors.SafetensorsCheckpoint;
import dev.gannet.runtime.safetensors.SafetensorsException;
import dev.gannet.runtime.safetensors.SafetensorsTensor;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.nio.file.Path;
import java.util.Arrays;

/** Tensors of a Hugging Face safetensors checkpoint; shapes are PyTorch order, so a (rows, cols) weight is [rows, cols]. */
final class SafetensorsTensorSource implements TensorSource {
    private final SafetensorsCheckpoint checkpoint;

    SafetensorsTensorSource(SafetensorsCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    @Override
    public Path path() { return checkpoint.dir(); }

    @Override
    public boolean has(String name) { return checkpoint.tensors().containsKey(name); }

    @Override
    public WeightMatrix matrix(String name, int rows, int cols) throws SafetensorsException {
        SafetensorsTensor t = checkpoint.tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new SafetensorsException(t.file(), "tensor " + name + ": expected shape [" + rows + ", " + cols + "], got " + Arrays.toString(s));
        }
        if (t.dtype().ggmlType() == null) throw new SafetensorsException(t.file(), TensorSource.unsupported(name, t.dtype()));
        return new WeightMatrix(name, t.dtype().ggmlType(), rows, cols, t.data());
    }

    @Override
    public float[] vector(String name, int n) throws SafetensorsException {
        SafetensorsTensor t = checkpoint.tensor(name);
        if (t.shape().length != 1 || t.shape()[0] != n) {
            throw new SafetensorsException(t.file(), "tensor " + name + ": expected shape [" + n + "], got " + Arrays.toString(t.shape()));
        }
        float[] f = t.dtype().ggmlType() == null ? null : TensorSource.toFloats(t.data(), t.dtype().ggmlType(), n);
        if (f == null) throw new SafetensorsException(t.file(), TensorSource.unsupported(name, t.dtype()));
        return f;
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
