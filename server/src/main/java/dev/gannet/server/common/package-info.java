/**
 * What the HTTP ({@code dev.gannet.server.http}) and gRPC ({@code dev.gannet.server.grpc}) front ends share, so
 * that neither imports the other: the in-flight registry and drain state ({@link dev.gannet.server.common.Inflight})
 * and the API-key check ({@link dev.gannet.server.common.ApiKeyAuth}).
 */
package dev.gannet.server.common;
