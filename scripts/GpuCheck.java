import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs every @Tag("gpu") test of dev.gannet.cuda and dev.gannet.runtime.cuda on the device machine
 * (no Maven there) and writes OUT_DIR/gpu-check.txt. Exits 1 when any test fails, when a test is
 * aborted for want of a CUDA device (on the GPU machine that means the driver was not found), or when
 * none passed. Other aborted tests (an optional library such as NVRTC absent) are listed, not fatal.
 * Compiled by scripts/gpu-check.sh prepare. Usage: java ... GpuCheck OUT_DIR
 */
public final class GpuCheck {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "gpu-check-out");
        Files.createDirectories(out);
        List<String> lines = new ArrayList<>();
        int[] bad = {0};
        TestExecutionListener printer = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                record("SKIPPED " + id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                var status = result.getStatus();
                if (status == TestExecutionResult.Status.SUCCESSFUL) {
                    if (id.isTest()) record("PASSED  " + id.getLegacyReportingName() + "  [" + id.getUniqueId() + "]");
                    return;
                }
                boolean aborted = status == TestExecutionResult.Status.ABORTED; // an assumption: its message says why
                String message = result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse("");
                // On the GPU machine a missing device or driver is a failure; an optional piece (NVRTC) is a skip.
                if (!aborted || message.contains("no CUDA device")) bad[0]++;
                String why = result.getThrowable().map(t -> aborted ? message + "\n" : stackTrace(t)).orElse("");
                record((aborted ? "ABORTED " : "FAILED  ") + id.getDisplayName() + "  [" + id.getUniqueId() + "]\n" + why);
            }

            private void record(String line) {
                System.out.println(line);
                lines.add(line);
            }
        };
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("dev.gannet.cuda"), selectPackage("dev.gannet.runtime.cuda"))
                .filters(TagFilter.includeTags("gpu"))
                .build();
        // The header check needs no GPU, but pip's nvidia/*/include on the GPU machine holds the cuBLAS,
        // NCCL and NVRTC headers this build machine lacks.
        LauncherDiscoveryRequest headers = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass("dev.gannet.cuda.HeaderConformanceTest")).build();
        var summary = new SummaryGeneratingListener();
        var launcher = LauncherFactory.create();
        launcher.execute(headers, summary, printer);
        long headerTests = summary.getSummary().getTestsSucceededCount();
        launcher.execute(request, summary, printer);
        StringWriter text = new StringWriter();
        summary.getSummary().printTo(new PrintWriter(text));
        long passed = summary.getSummary().getTestsSucceededCount();
        lines.add("header conformance tests passed: " + headerTests);
        boolean ok = bad[0] == 0 && passed > 0;
        lines.add(text.toString());
        lines.add(ok ? "GPU CHECK PASSED (" + passed + " tests)" : "GPU CHECK FAILED (" + passed + " passed, " + bad[0] + " not passed)");
        System.out.println(text);
        System.out.println(lines.getLast());
        Files.write(out.resolve("gpu-check.txt"), lines);
        System.exit(ok ? 0 : 1);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
