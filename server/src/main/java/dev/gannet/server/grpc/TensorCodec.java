package dev.gannet.server.grpc;

import com.google.protobuf.ByteString;
import dev.gannet.server.grpc.proto.InferTensorContents;
import dev.gannet.server.grpc.proto.ModelInferRequest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads KServe v2 input tensors from either {@code contents} or {@code raw_input_contents}
 * (little-endian; BYTES elements as a 4-byte little-endian length followed by the bytes).
 */
final class TensorCodec {
    private TensorCodec() {
    }

    /**
     * One decoded input: {@code bytes} for BYTES, {@code ints} for integer and BOOL (0/1),
     * {@code floats} for every numeric type.
     */
    record Tensor(String name, String datatype, List<byte[]> bytes, long[] ints, double[] floats) {
        int size() {
            return bytes != null ? bytes.size() : floats.length;
        }
    }

    static List<Tensor> inputs(ModelInferRequest req) {
        boolean raw = req.getRawInputContentsCount() > 0;
        if (raw && req.getRawInputContentsCount() != req.getInputsCount()) {
            throw new InvalidInputException("raw_input_contents has " + req.getRawInputContentsCount()
                    + " entries but there are " + req.getInputsCount() + " inputs");
        }
        List<Tensor> out = new ArrayList<>(req.getInputsCount());
        for (int i = 0; i < req.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor in = req.getInputs(i);
            Tensor t = raw ? fromRaw(in.getName(), in.getDatatype(), req.getRawInputContents(i))
                    : fromContents(in.getName(), in.getDatatype(), in.getContents());
            checkShape(in, t.size());
            out.add(t);
        }
        return out;
    }

    /** The declared shape must describe the data sent: no negative or absurd dimension, product = element count. */
    private static void checkShape(ModelInferRequest.InferInputTensor in, int elements) {
        long product = 1;
        for (long d : in.getShapeList()) {
            if (d < 0) {
                throw new InvalidInputException("input '" + in.getName() + "': negative dimension " + d + " in shape "
                        + in.getShapeList());
            }
            try {
                product = Math.multiplyExact(product, d);
            } catch (ArithmeticException e) {
                throw new InvalidInputException("input '" + in.getName() + "': shape " + in.getShapeList() + " overflows");
            }
        }
        if (in.getShapeCount() > 0 && product != elements) {
            throw new InvalidInputException("input '" + in.getName() + "': shape " + in.getShapeList() + " holds " + product
                    + " elements but " + elements + " were sent");
        }
    }

    private static Tensor fromContents(String name, String type, InferTensorContents c) {
        return switch (type) {
            case "BYTES" -> {
                List<byte[]> list = new ArrayList<>(c.getBytesContentsCount());
                for (ByteString b : c.getBytesContentsList()) {
                    list.add(b.toByteArray());
                }
                yield new Tensor(name, type, list, null, null);
            }
            case "BOOL" -> ints(name, type, c.getBoolContentsCount(), i -> c.getBoolContents(i) ? 1 : 0);
            case "INT8", "INT16", "INT32" -> ints(name, type, c.getIntContentsCount(), c::getIntContents);
            case "INT64" -> ints(name, type, c.getInt64ContentsCount(), c::getInt64Contents);
            case "UINT8", "UINT16", "UINT32" -> ints(name, type, c.getUintContentsCount(),
                    i -> Integer.toUnsignedLong(c.getUintContents(i)));
            case "UINT64" -> ints(name, type, c.getUint64ContentsCount(), c::getUint64Contents);
            case "FP32" -> floats(name, type, c.getFp32ContentsCount(), c::getFp32Contents);
            case "FP64" -> floats(name, type, c.getFp64ContentsCount(), c::getFp64Contents);
            default -> throw new InvalidInputException("input '" + name + "': unsupported datatype '" + type + "'");
        };
    }

    private static Tensor fromRaw(String name, String type, ByteString raw) {
        ByteBuffer buf = ByteBuffer.wrap(raw.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        return switch (type) {
            case "BYTES" -> {
                List<byte[]> list = new ArrayList<>();
                while (buf.hasRemaining()) {
                    if (buf.remaining() < 4) {
                        throw new InvalidInputException("input '" + name + "': truncated BYTES length prefix");
                    }
                    int len = buf.getInt();
                    if (len < 0 || len > buf.remaining()) {
                        throw new InvalidInputException("input '" + name + "': BYTES element length " + len
                                + " exceeds the " + buf.remaining() + " bytes left");
                    }
                    byte[] item = new byte[len];
                    buf.get(item);
                    list.add(item);
                }
                yield new Tensor(name, type, list, null, null);
            }
            case "BOOL", "INT8", "UINT8" -> ints(name, type, checkWidth(name, buf, 1), i -> type.equals("UINT8")
                    ? Byte.toUnsignedLong(buf.get(i)) : buf.get(i));
            case "INT16", "UINT16" -> ints(name, type, checkWidth(name, buf, 2), i -> type.equals("UINT16")
                    ? Short.toUnsignedLong(buf.getShort(i * 2)) : buf.getShort(i * 2));
            case "INT32" -> ints(name, type, checkWidth(name, buf, 4), i -> buf.getInt(i * 4));
            case "UINT32" -> ints(name, type, checkWidth(name, buf, 4), i -> Integer.toUnsignedLong(buf.getInt(i * 4)));
            case "INT64", "UINT64" -> ints(name, type, checkWidth(name, buf, 8), i -> buf.getLong(i * 8));
            case "FP32" -> floats(name, type, checkWidth(name, buf, 4), i -> buf.getFloat(i * 4));
            case "FP64" -> floats(name, type, checkWidth(name, buf, 8), i -> buf.getDouble(i * 8));
            default -> throw new InvalidInputException("input '" + name + "': unsupported datatype '" + type + "'");
        };
    }

    private static int checkWidth(String name, ByteBuffer buf, int width) {
        if (buf.remaining() % width != 0) {
            throw new InvalidInputException("input '" + name + "': raw contents of " + buf.remaining()
                    + " bytes is not a multiple of the element size " + width);
        }
        return buf.remaining() / width;
    }

    private interface LongAt {
        long at(int i);
    }

    private interface DoubleAt {
        double at(int i);
    }

    private static Tensor ints(String name, String type, int n, LongAt get) {
        long[] ints = new long[n];
        double[] floats = new double[n];
        for (int i = 0; i < n; i++) {
            ints[i] = get.at(i);
            floats[i] = ints[i];
        }
        return new Tensor(name, type, null, ints, floats);
    }

    private static Tensor floats(String name, String type, int n, DoubleAt get) {
        double[] floats = new double[n];
        for (int i = 0; i < n; i++) {
            floats[i] = get.at(i);
        }
        return new Tensor(name, type, null, null, floats);
    }

    /** BYTES raw encoding of one element, for tests and clients: 4-byte LE length + bytes. */
    static ByteString rawBytesElement(byte[] value) {
        ByteBuffer buf = ByteBuffer.allocate(4 + value.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(value.length).put(value);
        return ByteString.copyFrom(buf.array());
    }
}
