package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import dev.gannet.server.api.FakeBackend;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** h2c with prior knowledge (no upgrade): how gRPC clients and many proxies talk. */
class Http2PriorKnowledgeTest {

    @Test
    void completionsOverH2cPriorKnowledge() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            WebClient client = WebClient.create(h.vertx, new WebClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            HttpResponse<Buffer> r = client.request(HttpMethod.POST, new RequestOptions().setHost("127.0.0.1")
                            .setPort(h.port).setURI("/v1/completions"))
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\",\"max_tokens\":3}"))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(HttpVersion.HTTP_2, r.version());
            assertEquals(200, r.statusCode());
            JsonNode j = ServerHarness.json(r.bodyAsString());
            assertEquals("abc", j.get("choices").get(0).get("text").asText());
            HttpResponse<Buffer> err = client.request(HttpMethod.POST, new RequestOptions().setHost("127.0.0.1")
                            .setPort(h.port).setURI("/v1/completions"))
                    .sendBuffer(Buffer.buffer("{\"prompt\":\"hi\",\"n\":0}"))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(400, err.statusCode());
            assertTrue(err.bodyAsString().contains("\"param\":\"n\""));
            client.close();
        }
    }


    @Test
    void resetStreamAbortsTheSequence() throws Exception {
        FakeBackend backend = new FakeBackend(4096).tokenDelayMillis(20);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            HttpClientAgent client = h.vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            CompletableFuture<Void> firstChunk = new CompletableFuture<>();
            client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(h.port)
                    .setURI("/v1/completions")).onSuccess(req -> {
                        req.response().onSuccess(resp -> resp.handler(chunk -> {
                            if (firstChunk.complete(null)) {
                                req.reset();
                            }
                        }));
                        req.end("{\"prompt\":\"x\",\"max_tokens\":2000,\"stream\":true}");
                    });
            firstChunk.get(10, TimeUnit.SECONDS);
            StatusCodesTest.waitFor(() -> backend.aborts() == 1 && backend.runningNow() == 0
                    && h.server.inflightRequests() == 0);
            client.close();
        }
    }
}
