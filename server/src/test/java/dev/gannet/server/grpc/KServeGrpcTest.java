package dev.gannet.server.grpc;

import com.google.protobuf.ByteString;
import dev.gannet.server.api.FakeBackend;
import dev.gannet.server.grpc.proto.InferTensorContents;
import dev.gannet.server.grpc.proto.InferParameter;
import dev.gannet.server.grpc.proto.ModelInferRequest;
import dev.gannet.server.grpc.proto.ModelInferResponse;
import dev.gannet.server.grpc.proto.ModelMetadataRequest;
import dev.gannet.server.grpc.proto.ModelMetadataResponse;
import dev.gannet.server.grpc.proto.ModelReadyRequest;
import dev.gannet.server.grpc.proto.ModelReadyResponse;
import dev.gannet.server.grpc.proto.ModelStreamInferResponse;
import dev.gannet.server.grpc.proto.ServerLiveRequest;
import dev.gannet.server.grpc.proto.ServerLiveResponse;
import dev.gannet.server.grpc.proto.ServerReadyRequest;
import dev.gannet.server.grpc.proto.ServerReadyResponse;
import dev.gannet.server.http.ServerHarness;
import dev.gannet.server.http.ServerOptions;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * grpc-java as an independent client. Its stubs are not generated (protoc-gen-grpc-java 1.85.1 has
 * no linux-x86_64 binary on Maven Central); method descriptors are written here over the
 * generated message classes, which is all a stub does.
 */
class KServeGrpcTest {
    static final String SERVICE = "inference.GRPCInferenceService/";
    static ServerHarness h;
    static ManagedChannel channel;

    static <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> MethodDescriptor<Q, R> method(
            String name, MethodDescriptor.MethodType type, Q req, R resp) {
        return MethodDescriptor.<Q, R>newBuilder().setType(type).setFullMethodName(SERVICE + name)
                .setRequestMarshaller(ProtoUtils.marshaller(req)).setResponseMarshaller(ProtoUtils.marshaller(resp))
                .build();
    }

    static final MethodDescriptor<ServerLiveRequest, ServerLiveResponse> LIVE = method("ServerLive",
            MethodDescriptor.MethodType.UNARY, ServerLiveRequest.getDefaultInstance(), ServerLiveResponse.getDefaultInstance());
    static final MethodDescriptor<ServerReadyRequest, ServerReadyResponse> READY = method("ServerReady",
            MethodDescriptor.MethodType.UNARY, ServerReadyRequest.getDefaultInstance(), ServerReadyResponse.getDefaultInstance());
    static final MethodDescriptor<ModelReadyRequest, ModelReadyResponse> MODEL_READY = method("ModelReady",
            MethodDescriptor.MethodType.UNARY, ModelReadyRequest.getDefaultInstance(), ModelReadyResponse.getDefaultInstance());
    static final MethodDescriptor<ModelMetadataRequest, ModelMetadataResponse> METADATA = method("ModelMetadata",
            MethodDescriptor.MethodType.UNARY, ModelMetadataRequest.getDefaultInstance(),
            ModelMetadataResponse.getDefaultInstance());
    static final MethodDescriptor<ModelInferRequest, ModelInferResponse> INFER = method("ModelInfer",
            MethodDescriptor.MethodType.UNARY, ModelInferRequest.getDefaultInstance(), ModelInferResponse.getDefaultInstance());
    static final MethodDescriptor<ModelInferRequest, ModelStreamInferResponse> STREAM = method("ModelStreamInfer",
            MethodDescriptor.MethodType.BIDI_STREAMING, ModelInferRequest.getDefaultInstance(),
            ModelStreamInferResponse.getDefaultInstance());

    @BeforeAll
    static void start() throws Exception {
        h = new ServerHarness();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", h.port).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        h.close();
    }

    static <Q, R> R call(MethodDescriptor<Q, R> m, Q req) {
        return ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), req);
    }

    static ModelInferRequest.InferInputTensor bytesInput(String name, String... values) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (String v : values) {
            c.addBytesContents(ByteString.copyFromUtf8(v));
        }
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("BYTES")
                .addShape(values.length).setContents(c).build();
    }

    static ModelInferRequest.InferInputTensor intInput(String name, int v) {
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("INT32").addShape(1)
                .setContents(InferTensorContents.newBuilder().addIntContents(v)).build();
    }

    static ModelInferRequest.InferInputTensor boolInput(String name, boolean v) {
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("BOOL").addShape(1)
                .setContents(InferTensorContents.newBuilder().addBoolContents(v)).build();
    }

    static ModelInferRequest infer(String model, ModelInferRequest.InferInputTensor... inputs) {
        return ModelInferRequest.newBuilder().setModelName(model).setId("req-1").addAllInputs(List.of(inputs)).build();
    }

    static String text(ModelInferResponse r) {
        assertEquals("text_output", r.getOutputs(0).getName());
        assertEquals("BYTES", r.getOutputs(0).getDatatype());
        return r.getOutputs(0).getContents().getBytesContents(0).toStringUtf8();
    }

    @Test
    void healthAndMetadata() {
        assertTrue(call(LIVE, ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(call(READY, ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(call(MODEL_READY, ModelReadyRequest.newBuilder().setName("fake").build()).getReady());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(MODEL_READY, ModelReadyRequest.newBuilder().setName("other").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        ModelMetadataResponse md = call(METADATA, ModelMetadataRequest.newBuilder().setName("fake").build());
        assertEquals("fake", md.getName());
        assertEquals("text_input", md.getInputs(0).getName());
        assertEquals("text_output", md.getOutputs(0).getName());
    }

    @Test
    void modelInferFromContents() {
        ModelInferResponse r = call(INFER, infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 3)));
        assertEquals("abc", text(r));
        assertEquals("req-1", r.getId());
        assertEquals("length", r.getParametersOrThrow("finish_reason").getStringParam());
        assertEquals(3, r.getParametersOrThrow("prompt_tokens").getInt64Param());
        ModelInferResponse stop = call(INFER, infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 9),
                bytesInput("stop", "d", "zz")));
        assertEquals("abc", text(stop));
        assertEquals("stop", stop.getParametersOrThrow("finish_reason").getStringParam());
    }

    @Test
    void modelInferFromRawInputContents() {
        ByteBuffer text = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(2)
                .put("hi".getBytes(StandardCharsets.UTF_8));
        ModelInferRequest req = ModelInferRequest.newBuilder().setModelName("fake")
                .addInputs(raw("text_input", "BYTES")).addInputs(raw("max_tokens", "INT32"))
                .addInputs(raw("temperature", "FP32")).addInputs(raw("seed", "INT64"))
                .addRawInputContents(ByteString.copyFrom(text.array()))
                .addRawInputContents(le(4).putInt(0, 4).bytes())
                .addRawInputContents(le(4).putFloat(0, 0.7f).bytes())
                .addRawInputContents(le(8).putLong(0, 2L).bytes())
                .build();
        assertEquals("cdef", text(call(INFER, req)));
    }

    private static ModelInferRequest.InferInputTensor raw(String name, String type) {
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(type).addShape(1).build();
    }

    private static RawBuf le(int n) {
        return new RawBuf(ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Builds one little-endian raw tensor and converts to ByteString where one is expected. */
    private record RawBuf(ByteBuffer buf) {
        RawBuf putInt(int i, int v) { buf.putInt(i, v); return this; }
        RawBuf putFloat(int i, float v) { buf.putFloat(i, v); return this; }
        RawBuf putLong(int i, long v) { buf.putLong(i, v); return this; }
        ByteString bytes() { return ByteString.copyFrom(buf.array()); }
    }

    @Test
    void badInputsAreInvalidArgumentAndUnknownModelIsNotFound() {
        assertStatus(Status.Code.NOT_FOUND, infer("gpt", bytesInput("text_input", "hi")));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", intInput("max_tokens", 3)));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 0)));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"), intInput("bogus", 1)));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "a", "b")));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"),
                bytesInput("max_tokens", "3")));
        ModelInferRequest truncated = ModelInferRequest.newBuilder().setModelName("fake")
                .addInputs(raw("text_input", "BYTES")).addRawInputContents(ByteString.copyFrom(new byte[] {9, 0, 0, 0, 1}))
                .build();
        assertStatus(Status.Code.INVALID_ARGUMENT, truncated);
    }

    /** Structured output as request parameters (string values) or BYTES inputs, as on the HTTP API. */
    @Test
    void structuredOutputThroughParametersAndInputs() throws Exception {
        ModelInferRequest regex = infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 12)).toBuilder()
                .putParameters("guided_regex", InferParameter.newBuilder().setStringParam("[0-9]{3}-[a-z]{2}").build()).build();
        assertTrue(text(call(INFER, regex)).matches("[0-9]{3}-[a-z]{2}"));
        ModelInferRequest schema = infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 40)).toBuilder()
                .putParameters("response_format", InferParameter.newBuilder().setStringParam("{\"type\": \"json_schema\", "
                        + "\"json_schema\": {\"name\": \"n\", \"schema\": {\"type\": \"object\", \"properties\": "
                        + "{\"n\": {\"type\": \"integer\"}}, \"required\": [\"n\"]}}}").build()).build();
        String json = text(call(INFER, schema));
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("n").isIntegralNumber(), json);
        String choice = text(call(INFER, infer("fake", bytesInput("text_input", "hi"), bytesInput("guided_choice", "yes", "no"))));
        assertTrue(choice.equals("yes") || choice.equals("no"), choice);
        ModelInferRequest bad = infer("fake", bytesInput("text_input", "hi")).toBuilder()
                .putParameters("guided_json", InferParameter.newBuilder().setStringParam("{\"type\": \"objekt\"}").build()).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(INFER, bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("guided_json") && e.getStatus().getDescription().contains("/type"),
                e.getStatus().getDescription());
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"), bytesInput("guided_regex", "a(")));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"), bytesInput("guided_choice", "[1]")));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"), bytesInput("guided_regex", "a"),
                bytesInput("guided_choice", "a")));
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", bytesInput("text_input", "hi"), intInput("guided_regex", 1)));
    }

    private static void assertStatus(Status.Code code, ModelInferRequest req) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(INFER, req));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription() != null && !e.getStatus().getDescription().isEmpty());
    }

    @Test
    void modelStreamInferSendsOneResponsePerChunkAndErrorsInBand() throws Exception {
        List<ModelStreamInferResponse> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Status> done = new CompletableFuture<>();
        StreamObserver<ModelInferRequest> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(STREAM, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
                new StreamObserver<>() {
                    public void onNext(ModelStreamInferResponse r) { got.add(r); }
                    public void onError(Throwable t) { done.complete(Status.fromThrowable(t)); }
                    public void onCompleted() { done.complete(Status.OK); }
                });
        requests.onNext(ModelInferRequest.newBuilder(infer("fake", bytesInput("text_input", "hi"),
                intInput("max_tokens", 3), boolInput("stream", true))).setId("s1").build());
        requests.onNext(ModelInferRequest.newBuilder(infer("nope", bytesInput("text_input", "hi"))).setId("s2").build());
        requests.onNext(ModelInferRequest.newBuilder(infer("fake", bytesInput("text_input", "hi"),
                intInput("max_tokens", 2))).setId("s3").build());
        requests.onCompleted();
        assertEquals(Status.Code.OK, done.get(10, TimeUnit.SECONDS).getCode());
        StringBuilder s1 = new StringBuilder();
        int s1Chunks = 0;
        boolean s1Final = false;
        for (ModelStreamInferResponse r : got) {
            ModelInferResponse ir = r.getInferResponse();
            switch (ir.getId()) {
                case "s1" -> {
                    s1Chunks++;
                    s1.append(text(ir));
                    if (ir.getParametersOrThrow("triton_final_response").getBoolParam()) {
                        s1Final = true;
                        assertEquals("length", ir.getParametersOrThrow("finish_reason").getStringParam());
                    }
                }
                case "s2" -> assertTrue(r.getErrorMessage().contains("unknown model"), r.getErrorMessage());
                case "s3" -> assertEquals("ab", text(ir));
                default -> throw new AssertionError("unexpected id " + ir.getId());
            }
        }
        assertEquals("abc", s1.toString());
        assertEquals(4, s1Chunks);
        assertTrue(s1Final);
        assertEquals(6, got.size());  // s1: 3 chunks + final, s2: error, s3: whole text
    }

    /** Before: every client cancel of ModelStreamInfer logged a SEVERE stack trace. */
    @Test
    void cancelledStreamAbortsItsSequence() throws Exception {
        List<java.util.logging.LogRecord> severe = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) severe.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        try {
            cancelOnce();
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(capture);
        }
        assertTrue(severe.stream().noneMatch(r -> String.valueOf(r.getLoggerName()).startsWith("io.vertx")
                || String.valueOf(r.getLoggerName()).startsWith("dev.gannet")),
                () -> "logged: " + severe.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()).toList());
    }

    private void cancelOnce() throws Exception {
        FakeBackend backend = new FakeBackend(4096).tokenDelayMillis(20);
        try (ServerHarness slow = new ServerHarness(backend, ServerOptions.defaults("fake"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", slow.port).usePlaintext().build();
            try {
                io.grpc.ClientCall<ModelInferRequest, ModelStreamInferResponse> call = ch.newCall(STREAM, CallOptions.DEFAULT);
                CompletableFuture<Void> first = new CompletableFuture<>();
                call.start(new io.grpc.ClientCall.Listener<>() {
                    @Override
                    public void onMessage(ModelStreamInferResponse message) {
                        first.complete(null);
                    }
                }, new Metadata());
                call.request(100);
                call.sendMessage(infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 2000),
                        boolInput("stream", true)));
                first.get(10, TimeUnit.SECONDS);
                call.cancel("client gave up", null);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!(backend.aborts() == 1 && backend.runningNow() == 0 && slow.server.inflightRequests() == 0)) {
                    assertTrue(System.nanoTime() < deadline, "sequence not aborted after cancel");
                    Thread.sleep(10);
                }
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void apiKeysApplyToGrpcToo() throws Exception {
        try (ServerHarness keyed = new ServerHarness(new FakeBackend(64),
                ServerOptions.defaults("fake").withApiKeys(List.of("k1")))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", keyed.port).usePlaintext().build();
            try {
                // health RPCs are open, as /health and /ready are; everything else needs the key
                assertTrue(ClientCalls.blockingUnaryCall(ch, LIVE, CallOptions.DEFAULT, ServerLiveRequest.getDefaultInstance()).getLive());
                assertTrue(ClientCalls.blockingUnaryCall(ch, READY, CallOptions.DEFAULT, ServerReadyRequest.getDefaultInstance()).getReady());
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                        ch, METADATA, CallOptions.DEFAULT, ModelMetadataRequest.newBuilder().setName("fake").build()));
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
                e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(ch, INFER, CallOptions.DEFAULT,
                        infer("fake", bytesInput("text_input", "hi"))));
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
                Metadata md = new Metadata();
                md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer k1");
                var authed = io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(md));
                assertEquals("fake", ClientCalls.blockingUnaryCall(authed, METADATA, CallOptions.DEFAULT,
                        ModelMetadataRequest.newBuilder().setName("fake").build()).getName());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A raw unary call: {@code messages} request messages (0, 1 or 2) of any bytes, then half-close. */
    private static Status rawUnary(String methodName, List<byte[]> messages) throws Exception {
        MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
            @Override public java.io.InputStream stream(byte[] v) { return new java.io.ByteArrayInputStream(v); }
            @Override public byte[] parse(java.io.InputStream in) {
                try { return in.readAllBytes(); } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
            }
        };
        MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(SERVICE + methodName)
                .setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
        io.grpc.ClientCall<byte[], byte[]> call = channel.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
        CompletableFuture<Status> done = new CompletableFuture<>();
        call.start(new io.grpc.ClientCall.Listener<>() {
            @Override public void onClose(Status status, Metadata trailers) { done.complete(status); }
        }, new Metadata());
        call.request(2);
        for (byte[] msg : messages) call.sendMessage(msg);
        call.halfClose();
        return done.get(30, TimeUnit.SECONDS);
    }

    /** Before: no message hung to the deadline; garbage came back CANCELLED; 256 KB was an empty RESOURCE_EXHAUSTED. */
    @Test
    void unaryCallsTakeExactlyOneWellFormedMessageWithinTheBodyLimit() throws Exception {
        long t0 = System.nanoTime();
        Status none = rawUnary("ModelInfer", List.of());
        assertEquals(Status.Code.INVALID_ARGUMENT, none.getCode(), none.toString());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "answered, not left to the deadline");
        byte[] ok = infer("fake", bytesInput("text_input", "hi"), intInput("max_tokens", 2)).toByteArray();
        Status two = rawUnary("ModelInfer", List.of(ok, ok));
        assertEquals(Status.Code.INVALID_ARGUMENT, two.getCode(), two.toString());
        assertEquals(Status.Code.INVALID_ARGUMENT, rawUnary("ServerLive", List.of()).getCode());
        Status garbage = rawUnary("ModelInfer", List.of(new byte[] {(byte) 0xff, (byte) 0xff, 0x7f, 0x01, 0x02}));
        assertEquals(Status.Code.INVALID_ARGUMENT, garbage.getCode(), garbage.toString());
        assertEquals(Status.Code.OK, rawUnary("ModelInfer", List.of(ok)).getCode());
        // 1 MB is fine (HTTP takes 4 MiB too), more than the body limit is refused with the limit named
        byte[] mb = infer("fake", bytesInput("text_input", "x".repeat(1 << 20)), intInput("max_tokens", 1)).toByteArray();
        Status big = rawUnary("ModelInfer", List.of(mb));
        assertTrue(big.getCode() == Status.Code.OK || big.getCode() == Status.Code.INVALID_ARGUMENT, big.toString());
        assertTrue(big.getDescription() == null || !big.getDescription().contains("RESOURCE"), big.toString());
        byte[] huge = infer("fake", bytesInput("text_input", "x".repeat(5 << 20))).toByteArray();
        Status over = rawUnary("ModelInfer", List.of(huge));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, over.getCode(), over.toString());
        assertTrue(over.getDescription().contains(Long.toString(ServerOptions.DEFAULT_MAX_BODY_BYTES)), over.toString());
    }

    @Test
    void shapesMustDescribeTheData() {
        ModelInferRequest.InferInputTensor liar = ModelInferRequest.InferInputTensor.newBuilder().setName("text_input")
                .setDatatype("BYTES").addShape(1_000_000_000L).addShape(1_000_000_000L)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("hi"))).build();
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", liar));
        ModelInferRequest.InferInputTensor negative = liar.toBuilder().clearShape().addShape(-1).build();
        assertStatus(Status.Code.INVALID_ARGUMENT, infer("fake", negative));
    }
}
