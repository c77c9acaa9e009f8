package dev.gannet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Test helpers for the native kernel library. */
final class NativeTestSupport {
    private NativeTestSupport() {}

    /**
     * The variants this CPU runs. Where the library is unavailable this skips, with the reason, only if the
     * build said it had no C compiler (build-cpu-kernels.sh writes a NOT_BUILT marker then); a library that
     * was built but does not load is a failure.
     */
    static List<NativeCpuLibrary.Isa> isas() {
        var why = NativeCpuLibrary.unavailableReason();
        if (why.isPresent()) {
            boolean notBuilt = NativeTestSupport.class.getResource("/dev/gannet/runtime/kernel/native/NOT_BUILT") != null;
            Assumptions.assumeFalse(notBuilt, "native kernels not built: " + why.get());
            fail("the native kernel library was built but is unavailable: " + why.get());
        }
        return List.copyOf(NativeCpuLibrary.supported());
    }
}
