/**
 * What the HTTP ({@code dev.gannet.server.http}) and gRPC ({@code dev.gannet.server.grpc}) front ends share, so
 * that neither imports the other: the in-flight registry and drain state ({@link dev.gannet.server.common.Inflight}),
 * the API-key check ({@link dev.gannet.server.common.ApiKeyAuth}) and the structured-output request fields
 * ({@link dev.gannet.server.common.StructuredOutput}).
 */
package dev.gannet.server.common;
