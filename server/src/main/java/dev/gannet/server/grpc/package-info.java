/**
 * KServe v2 / Triton {@code inference.GRPCInferenceService} on the same port as HTTP
 * ({@link dev.gannet.server.grpc.KServeService}); messages generated from
 * {@code src/main/proto/grpc_service.proto}.
 */
package dev.gannet.server.grpc;
