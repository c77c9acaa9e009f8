package dev.gannet.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code void** kernelParams} of cuLaunchKernel, built once and refilled per launch without
 * allocating: slot i holds argument i's value (8 bytes, little-endian, so a 4-byte int or float sits
 * at the slot start) and pointers[i] holds the address of slot i. It also records the kind of each
 * argument (p = device pointer, i = int32, f = float32) so a launch can be checked against the
 * kernel's C signature. One owner thread (the engine thread) at a time.
 */
final class LaunchArgs {
    static final int MAX_ARGS = 24;
    private static final long SLOT = 8;

    private final MemorySegment values;   // (MAX_ARGS) 8-byte slots
    private final MemorySegment pointers; // (MAX_ARGS) void*: pointers[i] = &values[i]
    private final byte[] kinds = new byte[MAX_ARGS];
    private int count;

    LaunchArgs(Arena arena) {
        values = arena.allocate(SLOT * MAX_ARGS, 16);
        pointers = arena.allocate(ValueLayout.ADDRESS, MAX_ARGS);
        for (int i = 0; i < MAX_ARGS; i++) {
            pointers.setAtIndex(ValueLayout.ADDRESS, i, values.asSlice(i * SLOT, SLOT));
        }
    }

    LaunchArgs reset() {
        count = 0;
        values.fill((byte) 0);
        return this;
    }

    /** A device pointer (CUdeviceptr); 0 passes NULL. */
    LaunchArgs ptr(long devicePointer) {
        values.set(ValueLayout.JAVA_LONG, next('p'), devicePointer);
        return this;
    }

    LaunchArgs i32(int v) {
        values.set(ValueLayout.JAVA_INT, next('i'), v);
        return this;
    }

    LaunchArgs f32(float v) {
        values.set(ValueLayout.JAVA_FLOAT, next('f'), v);
        return this;
    }

    private long next(char kind) {
        if (count == MAX_ARGS) throw new IllegalStateException("more than " + MAX_ARGS + " kernel arguments");
        kinds[count] = (byte) kind;
        return SLOT * count++;
    }

    int count() {
        return count;
    }

    /** True when the packed kinds spell exactly {@code signature} (e.g. "ppppiif"). */
    boolean matches(String signature) {
        if (signature.length() != count) return false;
        for (int i = 0; i < count; i++) {
            if (signature.charAt(i) != kinds[i]) return false;
        }
        return true;
    }

    String kinds() {
        return new String(kinds, 0, count, java.nio.charset.StandardCharsets.US_ASCII);
    }

    MemorySegment pointerArray() {
        return pointers;
    }

    MemorySegment slot(int i) {
        return values.asSlice(i * SLOT, SLOT);
    }
}
