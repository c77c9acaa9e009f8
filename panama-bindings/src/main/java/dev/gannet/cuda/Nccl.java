package dev.gannet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * NCCL (nccl.h, libnccl.so.2), bound by hand in jextract's layout. Buffers are device pointers
 * ({@code long}); communicators and streams are addresses. {@code ncclUniqueId} is a 128-byte struct
 * that {@code ncclCommInitRank} takes by value: pass the segment that {@link #ncclGetUniqueId} filled.
 */
public final class Nccl {
    private Nccl() { }

    static final NativeLibrary LIB = new NativeLibrary("NCCL", List.of("libnccl.so.2", "libnccl.so"));

    public static String load(CudaLibraryPaths paths) {
        return LIB.load(paths);
    }

    public static final int NCCL_UNIQUE_ID_BYTES = 128;
    /** {@code typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId;} */
    public static final StructLayout NCCL_UNIQUE_ID = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(NCCL_UNIQUE_ID_BYTES, JAVA_BYTE).withName("internal")).withName("ncclUniqueId");

    // ncclDataType_t
    public static final int ncclInt8 = 0;
    public static final int ncclUint8 = 1;
    public static final int ncclInt32 = 2;
    public static final int ncclUint32 = 3;
    public static final int ncclInt64 = 4;
    public static final int ncclUint64 = 5;
    public static final int ncclFloat16 = 6;
    public static final int ncclFloat32 = 7;
    public static final int ncclFloat64 = 8;
    public static final int ncclBfloat16 = 9;
    // ncclRedOp_t
    public static final int ncclSum = 0;
    public static final int ncclProd = 1;
    public static final int ncclMax = 2;
    public static final int ncclMin = 3;
    public static final int ncclAvg = 4;

    private static Downcall fn(String symbol, MemoryLayout... args) {
        return Downcall.of(LIB, symbol, JAVA_INT, args);
    }

    private static final Downcall ncclGetUniqueId = fn("ncclGetUniqueId", ADDRESS);
    private static final Downcall ncclCommInitRank = fn("ncclCommInitRank", ADDRESS, JAVA_INT, NCCL_UNIQUE_ID, JAVA_INT);
    private static final Downcall ncclCommDestroy = fn("ncclCommDestroy", ADDRESS);
    private static final Downcall ncclAllReduce = fn("ncclAllReduce", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS);
    private static final Downcall ncclAllGather = fn("ncclAllGather", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall ncclBroadcast = fn("ncclBroadcast", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS);
    private static final Downcall ncclGroupStart = fn("ncclGroupStart");
    private static final Downcall ncclGroupEnd = fn("ncclGroupEnd");
    private static final Downcall ncclGetErrorString = Downcall.of(LIB, "ncclGetErrorString", ADDRESS, JAVA_INT);

    /** Every binding, for the header-conformance test. */
    static final List<Downcall> ALL = List.of(ncclGetUniqueId, ncclCommInitRank, ncclCommDestroy, ncclAllReduce,
            ncclAllGather, ncclBroadcast, ncclGroupStart, ncclGroupEnd, ncclGetErrorString);

    public static int ncclGetUniqueId(MemorySegment uniqueId) {
        try { return (int) ncclGetUniqueId.handle().invokeExact(uniqueId); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** {@code commId} is a segment of {@link #NCCL_UNIQUE_ID} layout, passed by value. */
    public static int ncclCommInitRank(MemorySegment comm, int nranks, MemorySegment commId, int rank) {
        try { return (int) ncclCommInitRank.handle().invokeExact(comm, nranks, commId, rank); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int ncclCommDestroy(MemorySegment comm) {
        try { return (int) ncclCommDestroy.handle().invokeExact(comm); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int ncclAllReduce(long sendbuff, long recvbuff, long count, int datatype, int op, MemorySegment comm,
                                    MemorySegment stream) {
        try {
            return (int) ncclAllReduce.handle().invokeExact(MemorySegment.ofAddress(sendbuff), MemorySegment.ofAddress(recvbuff),
                    count, datatype, op, comm, stream);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int ncclAllGather(long sendbuff, long recvbuff, long sendcount, int datatype, MemorySegment comm,
                                    MemorySegment stream) {
        try {
            return (int) ncclAllGather.handle().invokeExact(MemorySegment.ofAddress(sendbuff), MemorySegment.ofAddress(recvbuff),
                    sendcount, datatype, comm, stream);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int ncclBroadcast(long sendbuff, long recvbuff, long count, int datatype, int root, MemorySegment comm,
                                    MemorySegment stream) {
        try {
            return (int) ncclBroadcast.handle().invokeExact(MemorySegment.ofAddress(sendbuff), MemorySegment.ofAddress(recvbuff),
                    count, datatype, root, comm, stream);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int ncclGroupStart() {
        try { return (int) ncclGroupStart.handle().invokeExact(); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    public static int ncclGroupEnd() {
        try { return (int) ncclGroupEnd.handle().invokeExact(); } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
    /** The library's own text for a status (a static C string). */
    public static String ncclGetErrorString(int result) {
        try {
            var p = (MemorySegment) ncclGetErrorString.handle().invokeExact(result);
            return p.reinterpret(1024).getString(0);
        } catch (Throwable t) { throw Downcall.unexpected(t); }
    }
}
