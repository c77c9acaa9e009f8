package dev.gannet.router.replica;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LoadReportTest {
    @Test
    void readsGannetGaugesWithLabelsAndSkipsLookAlikes() {
        String text = """
                # HELP gannet:num_requests_waiting Sequences waiting to be scheduled
                # TYPE gannet:num_requests_waiting gauge
                gannet:num_requests_waiting{model_name="stories"} 3.0
                gannet:num_requests_waiting_total{model_name="stories"} 99.0
                gannet:kv_cache_usage_perc{model_name="stories"} 0.25
                gannet:num_requests_running{model_name="stories"} 7.0
                """;
        assertEquals(new LoadReport(3, 0.25), LoadReport.parse(text));
    }

    @Test
    void readsVllmNamesSumsWaitingAndTakesTheHighestUsage() {
        String text = "vllm:num_requests_waiting{model_name=\"a\"} 2\nvllm:num_requests_waiting{model_name=\"b\"} 1 1712345678\n"
                + "vllm:kv_cache_usage_perc{model_name=\"a\"} 0.5\nvllm:kv_cache_usage_perc{model_name=\"b\"} 0.75\n";
        assertEquals(new LoadReport(3, 0.75), LoadReport.parse(text));
    }

    @Test
    void garbageIsNoReport() {
        assertNull(LoadReport.parse("<html>not metrics</html>"));
        assertNull(LoadReport.parse(""));
        assertEquals(new LoadReport(0, 0.5), LoadReport.parse("gannet:num_requests_waiting{x=\"y\"} NaN\ngannet:kv_cache_usage_perc 0.5\n"));
    }
}
