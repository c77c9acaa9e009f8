package dev.gannet.router;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica written with Vert.x for what WireMock cannot do: stream SSE events one by one, then either
 * drop the connection mid-stream or keep going until the peer leaves (and notice that it left).
 */
final class StreamingStub implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final AtomicInteger completions = new AtomicInteger();
    final CountDownLatch peerLeft = new CountDownLatch(1);
    private final HttpServer server;

    /**
     * @param events    events written before the stub acts
     * @param gapMillis time between events
     * @param dropAfter true: close the connection after {@code events}; false: keep streaming until the peer leaves
     */
    StreamingStub(int events, long gapMillis, boolean dropAfter) throws Exception {
        server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/ready" -> req.response().end("{\"status\":\"ready\"}");
                case "/metrics" -> req.response().end("");
                case "/v1/completions" -> {
                    completions.incrementAndGet();
                    HttpServerResponse resp = req.response().setChunked(true)
                            .putHeader("Content-Type", "text/event-stream");
                    resp.closeHandler(v -> peerLeft.countDown());
                    stream(resp, 0, events, gapMillis, dropAfter);
                }
                default -> req.response().setStatusCode(404).end();
            }
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void stream(HttpServerResponse resp, int i, int events, long gap, boolean dropAfter) {
        if (resp.closed()) return;
        if (i >= events && dropAfter) {
            resp.reset();  // HTTP/1.1: the connection closes with the stream unfinished
            return;
        }
        resp.write("data: {\"choices\":[{\"index\":0,\"text\":\"t" + i + "\"}]}\n\n");
        vertx.setTimer(gap, t -> stream(resp, i + 1, events, gap, dropAfter));
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
