/** Prometheus metrics with vLLM's names under a {@code gannet:} prefix; docs/metrics.md lists them. */
package dev.gannet.server.metrics;
