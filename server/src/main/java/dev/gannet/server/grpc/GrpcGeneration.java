package dev.gannet.server.grpc;

import com.google.protobuf.ByteString;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.RequestEvent;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.server.api.GenerationHandle;
import dev.gannet.server.grpc.proto.InferParameter;
import dev.gannet.server.grpc.proto.InferTensorContents;
import dev.gannet.server.grpc.proto.ModelInferResponse;
import dev.gannet.server.common.Inflight;
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
final class GrpcGeneration implements RequestListener, Inflight.Abortable {
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
    public void onEvent(RequestEvent e) {
        context.runOnContext(v -> event(e));
    }

    @Override
    public void abort() {
        context.runOnContext(v -> {
            if (!finished && handle != null) {
                handle.abort();
            }
        });
    }

    private void event(RequestEvent e) {
        if (finished) {
            return;
        }
        if (e.hasToken()) {
            long now = System.nanoTime();
            if (tokens == 0) {
                metrics.recordTimeToFirstToken(now - startNanos);
            } else {
                metrics.recordInterTokenLatency(now - lastTokenNanos);
            }
            tokens++;
            lastTokenNanos = now;
        }
        if (stream) {
            if (!e.text().isEmpty()) {
                sink.response().accept(response(e.text(), null));
            }
        } else {
            text.append(e.text());
        }
        if (e.finished()) {
            finish(e.finish());
        }
    }

    private void finish(FinishInfo r) {
        finished = true;
        context.owner().cancelTimer(timerId);
        inflight.remove(this);
        metrics.recordFinished(r.reason(), r.promptTokens(), r.generatedTokens(), System.nanoTime() - startNanos,
                r.queueNanos(), r.prefillNanos(), r.decodeNanos());
        sink.response().accept(response(stream ? "" : text.toString(), r));
        sink.done().run();
    }

    private ModelInferResponse response(String chunkText, FinishInfo end) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(modelName).setId(requestId);
        b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
                .setName("text_output").setDatatype("BYTES").addShape(1)
                .setContents(InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFrom(chunkText, StandardCharsets.UTF_8))));
        if (end != null) {
            b.putParameters("finish_reason", InferParameter.newBuilder().setStringParam(end.reason().wireName()).build());
            b.putParameters("prompt_tokens", InferParameter.newBuilder().setInt64Param(end.promptTokens()).build());
            b.putParameters("completion_tokens",
                    InferParameter.newBuilder().setInt64Param(end.generatedTokens()).build());
            if (end.error() != null) {
                b.putParameters("error", InferParameter.newBuilder().setStringParam(end.error()).build());
            }
        }
        if (stream) {
            b.putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(end != null).build());
        }
        return b.build();
    }
}
