package dev.gannet.runtime.model;

import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Named tensors of one checkpoint (a GGUF file or a safetensors folder), checked against the shape the
 * config implies. Matrices stay views of the mapping; 1-D tensors (norm weights, biases) are copied
 * into small float[]s, since the kernels take them as arrays and they are a few KB.
 */
sealed interface TensorSource extends AutoCloseable permits GgufTensorSource, SafetensorsTensorSource {
    ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The file or folder the tensors come from, for error messages. */
    Path path();

    boolean has(String name);

    /** The tensor as a (rows, cols) weight, or an error naming the file, tensor, expected and actual shape or type. */
    WeightMatrix matrix(String name, int rows, int cols) throws IOException;

    /** The 1-D tensor of n values as f32, or an error naming the file, tensor and problem. */
    float[] vector(String name, int n) throws IOException;

    @Override
    void close();

    /** Rejects types the kernels cannot compute with, naming the tensor. */
    static String unsupported(String name, Object type) {
        return "tensor " + name + " has type " + type + ", which Gannet does not support (supported: "
                + Arrays.stream(GgmlType.values()).filter(GgmlType::supported).toList() + ")";
    }

    /** Copies n values of an F32, F16 or BF16 tensor to a float[]; null for any other type. */
    static float[] toFloats(MemorySegment data, GgmlType type, int n) {
        float[] out = new float[n];
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(F32, i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getAtIndex(U16, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.getAtIndex(U16, i) & 0xffff) << 16); }
            default -> { return null; }
        }
        return out;
    }
}
