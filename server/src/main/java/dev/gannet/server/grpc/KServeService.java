package dev.gannet.server.grpc;

import com.google.protobuf.MessageLite;
import com.google.protobuf.MessageOrBuilder;
import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintException;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.tokenizer.TokenLimitException;
import dev.gannet.server.api.BackendOverloadedException;
import dev.gannet.server.api.ModelInfo;
import dev.gannet.server.api.ServingBackend;
import dev.gannet.server.grpc.proto.ModelInferRequest;
import dev.gannet.server.grpc.proto.ModelInferResponse;
import dev.gannet.server.grpc.proto.ModelMetadataRequest;
import dev.gannet.server.grpc.proto.ModelMetadataResponse;
import dev.gannet.server.grpc.proto.ModelReadyRequest;
import dev.gannet.server.grpc.proto.ModelReadyResponse;
import dev.gannet.server.grpc.proto.ModelStreamInferResponse;
import dev.gannet.server.grpc.proto.ServerLiveRequest;
import dev.gannet.server.grpc.proto.ServerLiveResponse;
import dev.gannet.server.grpc.proto.ServerMetadataRequest;
import dev.gannet.server.grpc.proto.ServerMetadataResponse;
import dev.gannet.server.grpc.proto.ServerReadyRequest;
import dev.gannet.server.grpc.proto.ServerReadyResponse;
import dev.gannet.server.common.Admission;
import dev.gannet.server.common.ApiKeyAuth;
import dev.gannet.server.common.TokenizeBudget;
import dev.gannet.server.common.Inflight;
import dev.gannet.server.common.StructuredOutput;
import dev.gannet.server.metrics.ServerMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;

import java.time.Duration;
import java.util.function.Function;

/**
 * KServe v2 {@code inference.GRPCInferenceService} over Vert.x gRPC. The binding is written by
 * hand over {@link GrpcServer#callHandler(ServiceMethod, io.vertx.core.Handler)} with the
 * protoc-generated message classes: seven methods do not justify a second protoc plugin in the
 * build. Unary failures are gRPC statuses (NOT_FOUND unknown model, INVALID_ARGUMENT bad input,
 * UNAVAILABLE loading/draining, RESOURCE_EXHAUSTED full queue, UNAUTHENTICATED); in
 * ModelStreamInfer a failed request is reported in {@code error_message} and the stream goes on,
 * as Triton does.
 */
public final class KServeService {
    private static final System.Logger LOG = System.getLogger(KServeService.class.getName());
    private static final ServiceName SERVICE = ServiceName.create("inference.GRPCInferenceService");
    private static final int INLINE_CHARS = 8192;

    private final Vertx vertx;
    private final ServingBackend backend;
    private final String modelName;
    private final Inflight inflight;
    private final ServerMetrics metrics;
    private final ApiKeyAuth auth;
    private final Duration timeout;
    private final Admission admission;
    private final TokenizeBudget budget;
    private final long maxMessageBytes;

    /** @param maxMessageBytes the largest request message, the same bound as the HTTP body limit */
    public KServeService(Vertx vertx, ServingBackend backend, String modelName, Inflight inflight,
                         ServerMetrics metrics, ApiKeyAuth auth, Duration timeout, Admission admission,
                         TokenizeBudget budget, long maxMessageBytes) {
        this.budget = budget;
        this.maxMessageBytes = maxMessageBytes;
        this.vertx = vertx;
        this.backend = backend;
        this.modelName = modelName;
        this.inflight = inflight;
        this.metrics = metrics;
        this.auth = auth;
        this.timeout = timeout;
        this.admission = admission;
    }

    public GrpcServer grpcServer() {
        GrpcServer server = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
        // health RPCs are open, as /health and /ready are: probes carry no key
        unary(server, "ServerLive", false, ServerLiveRequest.getDefaultInstance(),
                (ServerLiveRequest r) -> ServerLiveResponse.newBuilder().setLive(true).build());
        unary(server, "ServerReady", false, ServerReadyRequest.getDefaultInstance(),
                (ServerReadyRequest r) -> ServerReadyResponse.newBuilder().setReady(serving()).build());
        unary(server, "ModelReady", false, ModelReadyRequest.getDefaultInstance(), (ModelReadyRequest r) -> {
            checkModel(r.getName());
            return ModelReadyResponse.newBuilder().setReady(serving()).build();
        });
        unary(server, "ServerMetadata", true, ServerMetadataRequest.getDefaultInstance(),
                (ServerMetadataRequest r) -> ServerMetadataResponse.newBuilder().setName("gannet")
                        .setVersion("0.1.0").build());
        unary(server, "ModelMetadata", true, ModelMetadataRequest.getDefaultInstance(), this::metadata);
        server.callHandler(method("ModelInfer", ModelInferRequest.getDefaultInstance()), this::modelInfer);
        server.callHandler(method("ModelStreamInfer", ModelInferRequest.getDefaultInstance()), this::modelStreamInfer);
        return server;
    }

    private static <Q, R extends MessageLite> ServiceMethod<Q, R> method(String name, MessageOrBuilder proto) {
        return ServiceMethod.server(SERVICE, name, GrpcMessageEncoder.encoder(), lenient(proto));
    }

    /**
     * Protobuf decoding that hands a malformed message on as null instead of failing the stream (Vert.x would reset it,
     * which the client sees as CANCELLED); the handlers answer null with INVALID_ARGUMENT.
     */
    private static <Q> GrpcMessageDecoder<Q> lenient(MessageOrBuilder proto) {
        GrpcMessageDecoder<Q> strict = GrpcMessageDecoder.decoder(proto);
        return new GrpcMessageDecoder<>() {
            @Override
            public Q decode(GrpcMessage message) {
                try {
                    return strict.decode(message);
                } catch (RuntimeException malformed) {
                    return null;
                }
            }

            @Override
            public boolean accepts(WireFormat format) {
                return strict.accepts(format);
            }
        };
    }

    private <Q, R extends MessageLite> void unary(GrpcServer server, String name, boolean needsKey, MessageOrBuilder proto,
                                                  Function<Q, R> body) {
        server.callHandler(KServeService.<Q, R>method(name, proto), call -> {
            if (needsKey && !authorized(call)) {
                return;
            }
            OneMessage.read(call, maxMessageBytes, req -> {
                try {
                    call.response().end(body.apply(req));
                } catch (GrpcStatusException e) {
                    fail(call.response(), e);
                }
            });
        });
    }

    private boolean authorized(GrpcServerRequest<?, ?> call) {
        if (auth.accepts(call.headers().get("authorization"))) {
            return true;
        }
        fail(call.response(), new GrpcStatusException(GrpcStatus.UNAUTHENTICATED,
                "missing or incorrect API key: send metadata 'authorization: Bearer <key>'"));
        return false;
    }

    static void fail(GrpcServerResponse<?, ?> response, GrpcStatusException e) {
        try {
            response.status(e.status).statusMessage(e.getMessage()).end();
        } catch (IllegalStateException alreadyOver) { // the client cancelled, or a response went out already
            LOG.log(System.Logger.Level.DEBUG, "gRPC status not sent, the call is over: " + e.getMessage());
        }
    }

    private boolean serving() {
        return backend.ready() && !inflight.draining();
    }

    private void checkModel(String name) {
        if (!modelName.equals(name)) {
            throw new GrpcStatusException(GrpcStatus.NOT_FOUND, "unknown model '" + name + "'; this server serves '"
                    + modelName + "'");
        }
    }

    private ModelMetadataResponse metadata(ModelMetadataRequest r) {
        checkModel(r.getName());
        ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(modelName).setPlatform("gannet")
                .addVersions("1");
        b.addInputs(tensor("text_input", "BYTES", 1)).addInputs(tensor("max_tokens", "INT32", 1))
                .addInputs(tensor("temperature", "FP32", 1)).addInputs(tensor("top_p", "FP32", 1))
                .addInputs(tensor("top_k", "INT32", 1)).addInputs(tensor("seed", "INT64", 1))
                .addInputs(tensor("stream", "BOOL", 1)).addInputs(tensor("stop", "BYTES", -1));
        b.addOutputs(tensor("text_output", "BYTES", -1));
        return b.build();
    }

    private static ModelMetadataResponse.TensorMetadata tensor(String name, String type, long dim) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(name).setDatatype(type).addShape(dim).build();
    }

    private void modelInfer(GrpcServerRequest<ModelInferRequest, ModelInferResponse> call) {
        if (!authorized(call)) {
            return;
        }
        Context context = vertx.getOrCreateContext();
        boolean[] cancelled = {false};
        call.errorHandler(err -> cancelled[0] = true);
        OneMessage.read(call, maxMessageBytes, req -> startGeneration(context, req, false, new GrpcGeneration.Sink(resp -> {
            if (cancelled[0]) {
                return; // the client left: nothing to answer
            }
            if (resp.containsParameters("error")) {
                fail(call.response(), new GrpcStatusException(GrpcStatus.INTERNAL,
                        resp.getParametersOrThrow("error").getStringParam()));
            } else {
                call.response().end(resp);
            }
        }, () -> { })).onSuccess(gen -> call.errorHandler(err -> { // client cancel or reset
            cancelled[0] = true;
            gen.abort();
        })).onFailure(e -> fail(call.response(), asStatus(e))));
    }

    private void modelStreamInfer(GrpcServerRequest<ModelInferRequest, ModelStreamInferResponse> call) {
        if (!authorized(call)) {
            return;
        }
        Context context = vertx.getOrCreateContext();
        StreamState state = new StreamState();
        GrpcServerResponse<ModelInferRequest, ModelStreamInferResponse> out = call.response();
        call.handler(req -> {
            if (req == null) { // not valid protobuf: the stream's later messages cannot be trusted either
                state.abortAll();
                state.gone = true;
                fail(out, new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT, "a request message is not valid protobuf"));
                return;
            }
            if (state.gone) {
                return;
            }
            state.active++;
            GrpcGeneration.Sink sink = new GrpcGeneration.Sink(
                    resp -> state.write(out, ModelStreamInferResponse.newBuilder().setInferResponse(resp).build()),
                    () -> state.finishedOne(out));
            startGeneration(context, req, true, sink).onSuccess(state.generations::add).onFailure(e -> {
                state.write(out, ModelStreamInferResponse.newBuilder().setErrorMessage(asStatus(e).getMessage())
                        .setInferResponse(ModelInferResponse.newBuilder().setModelName(req.getModelName())
                                .setId(req.getId())).build());
                state.finishedOne(out);
            });
        });
        call.invalidMessageHandler(e -> { // a stream that sends garbage is ended: its later messages cannot be trusted
            state.abortAll();
            state.gone = true;
            fail(out, OneMessage.invalid(e, maxMessageBytes));
        });
        call.endHandler(v -> {
            state.clientDone = true;
            state.endIfIdle(out);
        });
        call.exceptionHandler(e -> state.clientGone(call));
        call.errorHandler(err -> state.clientGone(call));  // client cancel or reset: routine, logged at debug only
    }

    /** Per-stream bookkeeping, confined to the call's context. */
    private static final class StreamState {
        final java.util.List<GrpcGeneration> generations = new java.util.ArrayList<>();
        int active;
        boolean clientDone;
        boolean gone; // cancelled or reset by the client, or ended by us: write nothing more

        void finishedOne(GrpcServerResponse<?, ?> out) {
            active--;
            endIfIdle(out);
        }

        /** Writes unless the stream is gone: writing to a cancelled stream throws, which Vert.x logs as SEVERE. */
        <T> void write(GrpcServerResponse<?, T> out, T message) {
            if (gone) {
                return;
            }
            try {
                out.write(message);
            } catch (IllegalStateException over) {
                gone = true;
                abortAll();
            }
        }

        void clientGone(GrpcServerRequest<?, ?> call) {
            LOG.log(System.Logger.Level.DEBUG, "ModelStreamInfer cancelled by the client; aborting its generations");
            gone = true;
            abortAll();
        }

        void endIfIdle(GrpcServerResponse<?, ?> out) {
            if (clientDone && active == 0 && !gone) {
                gone = true;
                out.end();
            }
        }

        void abortAll() {
            for (GrpcGeneration g : generations) {
                g.abort();
            }
        }
    }

    /** Validates, tokenizes (off the event loop when long) and submits; fails with a status. */
    private Future<GrpcGeneration> startGeneration(Context context, ModelInferRequest req, boolean streamCall,
                                         GrpcGeneration.Sink sink) {
        long start = System.nanoTime();
        LlmInputs inputs;
        ModelInfo info;
        try {
            if (!serving()) {
                throw new GrpcStatusException(GrpcStatus.UNAVAILABLE, inflight.draining()
                        ? "the server is shutting down" : "the model is still loading");
            }
            checkModel(req.getModelName());
            inputs = LlmInputs.parse(TensorCodec.inputs(req), req.getParametersMap());
            info = backend.modelInfo();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        long chars = inputs.prompt().length();
        if (!budget.tryAcquire(chars)) {
            return Future.failedFuture(new GrpcStatusException(GrpcStatus.RESOURCE_EXHAUSTED, "the server is tokenizing as "
                    + "much text as it allows at once (" + budget.maxChars() + " characters); retry later"));
        }
        int limit = info.contextLength() - 1;
        java.util.concurrent.Callable<int[]> tokenize = () -> {
            try {
                return backend.tokenize(inputs.prompt(), true, limit);
            } catch (TokenLimitException e) {
                throw new InvalidInputException("the prompt needs more than " + limit + " tokens; the context length is "
                        + info.contextLength());
            }
        };
        Future<int[]> ids = chars <= INLINE_CHARS
                ? Future.future(p -> {
                    try {
                        p.complete(tokenize.call());
                    } catch (Exception e) {
                        p.fail(e);
                    }
                })
                : vertx.executeBlocking(tokenize, false);
        return ids.andThen(ar -> budget.release(chars)).compose(prompt -> compile(inputs.structured()).compose(constraint -> {
            if (prompt.length == 0 || prompt.length >= info.contextLength()) {
                return Future.failedFuture(new InvalidInputException("prompt has " + prompt.length
                        + " tokens; the context length is " + info.contextLength()));
            }
            // Triton's LLM backends clamp max_tokens to the room left in the context
            int maxTokens = Math.min(inputs.sampling().maxTokens(), info.contextLength() - prompt.length);
            try {
                admission.check(backend.stats(), 1, (long) prompt.length + maxTokens, info.kvCacheTokens());
            } catch (Admission.Refused r) {
                return Future.failedFuture(new GrpcStatusException(r.never() ? GrpcStatus.INVALID_ARGUMENT
                        : GrpcStatus.RESOURCE_EXHAUSTED, r.getMessage()));
            }
            String id = req.getId().isEmpty() ? "grpc-" + Long.toHexString(System.nanoTime()) : req.getId();
            GrpcGeneration gen = new GrpcGeneration(context, modelName, id, streamCall && inputs.stream(), metrics,
                    inflight, start, sink);
            try {
                Request r = new Request(prompt, inputs.sampling().withMaxTokens(maxTokens), inputs.priority(), 0L, constraint);
                gen.started(backend.submit(r, gen), timeout.toMillis());
            } catch (BackendOverloadedException e) {
                return Future.failedFuture(new GrpcStatusException(GrpcStatus.RESOURCE_EXHAUSTED, e.getMessage()));
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(e);
            }
            return Future.succeededFuture(gen);
        }));
    }

    /**
     * The structured-output constraint compiled on a worker thread (a schema the cache has not seen takes
     * milliseconds), or null; one that does not compile is INVALID_ARGUMENT naming the parameter and the problem's place.
     */
    private Future<Constraint> compile(StructuredOutput so) {
        if (so == null) {
            return Future.succeededFuture(null);
        }
        return vertx.executeBlocking(() -> {
            try {
                return backend.constraint(so.spec());
            } catch (ConstraintException e) {
                throw new InvalidInputException("'" + so.param() + "' is not a usable constraint: " + e.getMessage());
            }
        }, false);
    }

    private static GrpcStatusException asStatus(Throwable e) {
        return switch (e) {
            case GrpcStatusException s -> s;
            case InvalidInputException i -> new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT, i.getMessage());
            case IllegalArgumentException i -> new GrpcStatusException(GrpcStatus.INVALID_ARGUMENT, i.getMessage());
            default -> new GrpcStatusException(GrpcStatus.INTERNAL, "internal error: " + e.getClass().getSimpleName());
        };
    }
}
