package dev.gannet.server.grpc;

import com.google.protobuf.ByteString;
import dev.gannet.server.api.GenerationHandle;
import dev.gannet.server.api.GenerationListener;
import dev.gannet.server.api.GenerationResult;
import dev.gannet.server.api.TokenChunk;
import dev.gannet.server.grpc.proto.InferParameter;
import dev.gannet.server.grpc.proto.InferTensorContents;
import dev.gannet.server.grpc.proto.ModelInferResponse;
import dev.gannet.server.http.Inflight;
import dev.gannet.server.metrics.ServerMetrics;
import io.vertx.core.Context;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One generation behind a ModelInfer or ModelStreamInfer request. Engine callbacks hop onto the
 * call's Vert.x context; all state is confined there. In stream mode every chunk becomes one
 * response (text_output = the new text) and a final one carries {@code triton_final_response}
 * and {@code finish_reason}; otherwise one response holds the whole text.
 */
final class GrpcGeneration implements GenerationListener, Inflight.Abortable {
    /** Where responses go; {@code done} runs once after the last response. */
    record Sink(Consumer<ModelInferResponse> response, Runnable done) {
    }

    private final Context context;
    private final String modelName;
    private final String requestId;
    private final boolean stream;
    private final ServerMetrics metrics;
    private final Inflight inflight;
    private final long startNanos;
    private final Sink sink;
    private final StringBuilder text = new StringBuilder();
    private GenerationHandle handle;
    private int tokens;
    private long lastTokenNanos;
    private boolean finished;
    private long timerId = -1;

    GrpcGeneration(Context context, String modelName, String requestId, boolean stream, ServerMetrics metrics,
                   Inflight inflight, long startNanos, Sink sink) {
        this.context = context;
        this.modelName = modelName;
        this.requestId = requestId;
        this.stream = stream;
        this.metrics = metrics;
        this.inflight = inflight;
        this.startNanos = startNanos;
        this.sink = sink;
    }

    /** Called on the call's context right after submit. */
    void started(GenerationHandle h, long timeoutMillis) {
        handle = h;
        if (!inflight.tryAdd(this)) {
            h.abort(); // a drain began while this call was being prepared: end it at once
        }
        timerId = context.owner().setTimer(Math.max(1, timeoutMillis), t -> abort());
    }

    @Override
    public void onTokens(TokenChunk chunk) {
        context.runOnContext(v -> tokens(chunk));
    }

    @Override
    public void onFinish(GenerationResult result) {
        context.runOnContext(v -> finish(result));
    }

    @Override
    public void abort() {
        context.runOnContext(v -> {
            if (!finished && handle != null) {
                handle.abort();
            }
        });
    }

    private void tokens(TokenChunk chunk) {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        int n = chunk.tokenIds().length;
        if (tokens == 0) {
            metrics.recordTimeToFirstToken(now - startNanos);
        } else if (n > 0) {
            long each = (now - lastTokenNanos) / n;
            for (int k = 0; k < n; k++) {
                metrics.recordInterTokenLatency(each);
            }
        }
        tokens += n;
        lastTokenNanos = now;
        if (stream) {
            if (!chunk.text().isEmpty()) {
                sink.response().accept(response(chunk.text(), null));
            }
        } else {
            text.append(chunk.text());
        }
    }

    private void finish(GenerationResult r) {
        if (finished) {
            return;
        }
        finished = true;
        context.owner().cancelTimer(timerId);
        inflight.remove(this);
        metrics.recordFinished(r.reason(), r.promptTokens(), r.completionTokens(), System.nanoTime() - startNanos,
                r.queueNanos(), r.prefillNanos(), r.decodeNanos());
        sink.response().accept(response(stream ? "" : text.toString(), r));
        sink.done().run();
    }

    private ModelInferResponse response(String chunkText, GenerationResult end) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(modelName).setId(requestId);
        b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
                .setName("text_output").setDatatype("BYTES").addShape(1)
                .setContents(InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFrom(chunkText, StandardCharsets.UTF_8))));
        if (end != null) {
            b.putParameters("finish_reason", InferParameter.newBuilder().setStringParam(end.reason().wireName()).build());
            b.putParameters("prompt_tokens", InferParameter.newBuilder().setInt64Param(end.promptTokens()).build());
            b.putParameters("completion_tokens",
                    InferParameter.newBuilder().setInt64Param(end.completionTokens()).build());
            if (end.errorMessage() != null) {
                b.putParameters("error", InferParameter.newBuilder().setStringParam(end.errorMessage()).build());
            }
        }
        if (stream) {
            b.putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(end != null).build());
        }
        return b.build();
    }
}
