package dev.gannet.router;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import java.net.URI;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/** A WireMock replica: ready, with metrics, answering completions as each test tells it. */
final class FakeReplica implements AutoCloseable {
    static final String SSE = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"Once\"}]}\n\n"
            + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" upon\"}]}\n\n"
            + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" a\"}]}\n\n"
            + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" time\",\"finish_reason\":\"length\"}]}\n\n"
            + "data: [DONE]\n\n";
    static final String JSON = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"Once upon\","
            + "\"finish_reason\":\"length\"}]}";

    final WireMockServer wm;
    final String name;
    private final java.util.List<com.github.tomakehurst.wiremock.stubbing.StubMapping> completionStubs = new java.util.ArrayList<>();

    FakeReplica(String name) {
        this.name = name;
        wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(32));
        wm.start();
        healthy();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + wm.port());
    }

    void ready(int status) {
        wm.stubFor(get(urlEqualTo("/ready")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(status == 200 ? "{\"status\":\"ready\"}" : "{\"status\":\"draining\"}")));
    }

    void metrics(double waiting, double kv) {
        wm.stubFor(get(urlEqualTo("/metrics")).willReturn(aResponse().withHeader("Content-Type", "text/plain")
                .withBody("# TYPE gannet:num_requests_waiting gauge\ngannet:num_requests_waiting{model_name=\"m\"} " + waiting
                        + "\ngannet:kv_cache_usage_perc{model_name=\"m\"} " + kv + "\n")));
    }

    /** Ready, idle, and answering completions well: SSE when the request streams, JSON otherwise. */
    void healthy() {
        ready(200);
        metrics(0, 0);
        clearCompletions();
        completionStubs.add(wm.stubFor(post(urlEqualTo("/v1/completions")).atPriority(5).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withHeader("X-Replica", name).withBody(JSON))));
        completionStubs.add(wm.stubFor(post(urlEqualTo("/v1/completions")).withRequestBody(containing("\"stream\":true"))
                .atPriority(4).willReturn(sse())));
    }

    ResponseDefinitionBuilder sse() {
        return aResponse().withHeader("Content-Type", "text/event-stream").withHeader("X-Replica", name).withBody(SSE);
    }

    /** Every completion, streaming or not, gets this; /ready and /metrics stay as they are. */
    void always(ResponseDefinitionBuilder r) {
        clearCompletions();
        completionStubs.add(wm.stubFor(post(urlEqualTo("/v1/completions")).atPriority(3).willReturn(r)));
    }

    /** Requests whose body contains {@code marker} get this, before any other stub. */
    void when(String marker, ResponseDefinitionBuilder r) {
        completionStubs.add(wm.stubFor(post(urlEqualTo("/v1/completions")).withRequestBody(containing(marker))
                .atPriority(1).willReturn(r)));
    }

    private void clearCompletions() {
        completionStubs.forEach(wm::removeStub);
        completionStubs.clear();
    }

    static ResponseDefinitionBuilder fault(Fault f) {
        return aResponse().withFault(f);
    }

    int completions() {
        return wm.countRequestsMatching(postRequestedFor(urlEqualTo("/v1/completions")).build()).getCount();
    }

    @Override
    public void close() {
        wm.stop();
    }
}
