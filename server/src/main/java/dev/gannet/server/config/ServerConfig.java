package dev.gannet.server.config;

import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.engine.EngineConfig;
import dev.gannet.runtime.model.KvStorage;
import dev.gannet.runtime.model.WeightLayout;
import dev.gannet.runtime.toolcall.ToolCallFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, parsed once at start-up (file, then environment, then flags) and passed
 * down as a value. Nothing below {@code main} reads the environment or system properties.
 *
 * @param model              model file or folder; null = the built-in demo model
 * @param servedModelName    null = derived from the model
 * @param kvCacheMemoryBytes budget for KV block storage (0 when given as a fraction)
 * @param kvCacheMemoryFraction share of free memory for KV block storage, resolved at start-up (0 when given as a size)
 * @param gpuMemoryUtilization share of each GPU's memory the CUDA backend fills (weights, activations, KV cache)
 * @param maxStepNanos       step-time budget while streams decode: EngineConfig's STEP_BUDGET_AUTO, STEP_BUDGET_OFF or nanos
 * @param maxModelLen        0 = the model's context length
 * @param apiKeys            accepted bearer keys: {@code api_keys} plus {@code api_key}
 * @param cors               browser access (CORS) as vLLM offers it
 * @param sources            where each key's value came from, for the start-up print
 */
public record ServerConfig(
        Path model,
        String servedModelName,
        String host,
        int port,
        Device device,
        int threads,
        int tp,
        long kvCacheMemoryBytes,
        double kvCacheMemoryFraction,
        KvStorage.Precision kvCacheDtype,
        double gpuMemoryUtilization,
        WeightLayout weightLayout,
        boolean packedCache,
        int blockSize,
        int maxBatchTokens,
        long maxStepNanos,
        int maxRunning,
        int maxWaiting,
        long maxWaitingTokens,
        int maxN,
        int maxPrompts,
        int maxModelLen,
        boolean enablePrefixCaching,
        boolean warmup,
        List<String> apiKeys,
        Path apiKeysFile,
        long maxBodySizeBytes,
        Duration requestTimeout,
        Duration shutdownTimeout,
        Duration headerTimeout,
        Duration keepAliveTimeout,
        Duration streamStallTimeout,
        LogFormat logFormat,
        Path chatTemplate,
        ToolCallFormat toolCallParser,
        Cors cors,
        Map<ConfigKey, String> sources) {

    public ServerConfig {
        apiKeys = List.copyOf(apiKeys);
        sources = Map.copyOf(sources);
    }

    /**
     * Cross-origin browser access, vLLM's {@code --allowed-origins/--allowed-methods/--allowed-headers/
     * --allow-credentials}: an empty origin list switches CORS off; {@code *} allows any.
     */
    public record Cors(List<String> origins, List<String> methods, List<String> headers, boolean credentials) {
        public Cors {
            origins = List.copyOf(origins);
            methods = List.copyOf(methods);
            headers = List.copyOf(headers);
        }

        public boolean enabled() {
            return !origins.isEmpty();
        }
    }

    /** The same values with no record of where they came from (to compare two configurations). */
    public ServerConfig withoutSources() {
        return new ServerConfig(model, servedModelName, host, port, device, threads, tp, kvCacheMemoryBytes,
                kvCacheMemoryFraction, kvCacheDtype, gpuMemoryUtilization, weightLayout, packedCache, blockSize, maxBatchTokens, maxStepNanos, maxRunning, maxWaiting,
                maxWaitingTokens, maxN, maxPrompts, maxModelLen, enablePrefixCaching, warmup, apiKeys, apiKeysFile, maxBodySizeBytes, requestTimeout,
                shutdownTimeout, headerTimeout, keepAliveTimeout, streamStallTimeout, logFormat, chatTemplate, toolCallParser, cors, Map.of());
    }

    /** A raw value and where it came from ("default", "configs/x.yaml", "env GANNET_PORT", "flag --port"). */
    public record Setting(String value, String source) {}

    /** Parses and validates resolved raw settings (one per key; null value = unset). */
    static ServerConfig parse(Map<ConfigKey, Setting> raw) throws ConfigException {
        Map<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
        raw.forEach((k, s) -> sources.put(k, s.source()));
        var p = new Object() {
            String str(ConfigKey k) {
                Setting s = raw.get(k);
                return s == null || s.value() == null || s.value().isBlank() ? null : s.value().trim();
            }

            String src(ConfigKey k) { return raw.get(k).source(); }

            int integer(ConfigKey k, long min, long max) throws ConfigException {
                return ConfigValues.integer(k, str(k), src(k), min, max);
            }

            List<String> list(ConfigKey k) {
                String v = str(k);
                return v == null ? List.of() : ConfigValues.list(v);
            }
        };
        int blockSize = p.integer(ConfigKey.BLOCK_SIZE, 1, 256);
        if (Integer.bitCount(blockSize) != 1) throw ConfigValues.bad(ConfigKey.BLOCK_SIZE, p.str(ConfigKey.BLOCK_SIZE), p.src(ConfigKey.BLOCK_SIZE));
        String model = p.str(ConfigKey.MODEL);
        String keysFile = p.str(ConfigKey.API_KEYS_FILE);
        String template = p.str(ConfigKey.CHAT_TEMPLATE);
        String keys = p.str(ConfigKey.API_KEYS);
        List<String> apiKeys = new ArrayList<>(keys == null ? List.of() : ConfigValues.list(keys));
        if (p.str(ConfigKey.API_KEY) != null) apiKeys.add(p.str(ConfigKey.API_KEY));
        String kvMemory = p.str(ConfigKey.KV_CACHE_MEMORY);
        boolean credentials = ConfigValues.bool(ConfigKey.ALLOW_CREDENTIALS, p.str(ConfigKey.ALLOW_CREDENTIALS), p.src(ConfigKey.ALLOW_CREDENTIALS));
        if (credentials && p.list(ConfigKey.ALLOWED_ORIGINS).contains("*")) {
            throw new ConfigException(p.src(ConfigKey.ALLOW_CREDENTIALS) + ": allow_credentials = true needs explicit "
                    + "allowed_origins (browsers refuse credentials with the wildcard origin *)");
        }
        double kvFraction = 0;
        if (kvMemory != null && kvMemory.matches("0?\\.\\d+")) {
            kvFraction = Double.parseDouble(kvMemory);
            if (!(kvFraction > 0 && kvFraction < 1)) throw ConfigValues.bad(ConfigKey.KV_CACHE_MEMORY, kvMemory, p.src(ConfigKey.KV_CACHE_MEMORY));
        }
        return new ServerConfig(
                model == null ? null : Path.of(model),
                p.str(ConfigKey.SERVED_MODEL_NAME),
                p.str(ConfigKey.HOST) == null ? "127.0.0.1" : p.str(ConfigKey.HOST),
                p.integer(ConfigKey.PORT, 0, 65535),
                ConfigValues.device(ConfigKey.DEVICE, p.str(ConfigKey.DEVICE), p.src(ConfigKey.DEVICE)),
                p.integer(ConfigKey.THREADS, 0, 4096),
                p.integer(ConfigKey.TP, 1, 64),
                kvFraction > 0 ? 0 : ConfigValues.size(ConfigKey.KV_CACHE_MEMORY, kvMemory, p.src(ConfigKey.KV_CACHE_MEMORY)),
                kvFraction,
                ConfigValues.oneOf(ConfigKey.KV_CACHE_DTYPE, p.str(ConfigKey.KV_CACHE_DTYPE), p.src(ConfigKey.KV_CACHE_DTYPE), KvStorage.Precision.class),
                ConfigValues.fraction(ConfigKey.GPU_MEMORY_UTILIZATION, p.str(ConfigKey.GPU_MEMORY_UTILIZATION), p.src(ConfigKey.GPU_MEMORY_UTILIZATION)),
                ConfigValues.oneOf(ConfigKey.WEIGHT_LAYOUT, p.str(ConfigKey.WEIGHT_LAYOUT), p.src(ConfigKey.WEIGHT_LAYOUT), WeightLayout.class),
                ConfigValues.bool(ConfigKey.PACKED_CACHE, p.str(ConfigKey.PACKED_CACHE), p.src(ConfigKey.PACKED_CACHE)),
                blockSize,
                p.integer(ConfigKey.MAX_BATCH_TOKENS, 1, 1 << 20),
                ConfigValues.stepBudget(ConfigKey.MAX_STEP_MS, p.str(ConfigKey.MAX_STEP_MS), p.src(ConfigKey.MAX_STEP_MS)),
                p.integer(ConfigKey.MAX_RUNNING, 1, 1 << 16),
                p.integer(ConfigKey.MAX_WAITING, 1, 1 << 24),
                p.integer(ConfigKey.MAX_WAITING_TOKENS, 0, Integer.MAX_VALUE),
                p.integer(ConfigKey.MAX_N, 1, 1 << 16),
                p.integer(ConfigKey.MAX_PROMPTS, 1, 1 << 16),
                p.integer(ConfigKey.MAX_MODEL_LEN, 0, 1 << 24),
                ConfigValues.bool(ConfigKey.ENABLE_PREFIX_CACHING, p.str(ConfigKey.ENABLE_PREFIX_CACHING), p.src(ConfigKey.ENABLE_PREFIX_CACHING)),
                ConfigValues.bool(ConfigKey.WARMUP, p.str(ConfigKey.WARMUP), p.src(ConfigKey.WARMUP)),
                apiKeys,
                keysFile == null ? null : Path.of(keysFile),
                ConfigValues.size(ConfigKey.MAX_BODY_SIZE, p.str(ConfigKey.MAX_BODY_SIZE), p.src(ConfigKey.MAX_BODY_SIZE)),
                ConfigValues.duration(ConfigKey.REQUEST_TIMEOUT, p.str(ConfigKey.REQUEST_TIMEOUT), p.src(ConfigKey.REQUEST_TIMEOUT)),
                ConfigValues.duration(ConfigKey.SHUTDOWN_TIMEOUT, p.str(ConfigKey.SHUTDOWN_TIMEOUT), p.src(ConfigKey.SHUTDOWN_TIMEOUT)),
                ConfigValues.duration(ConfigKey.HEADER_TIMEOUT, p.str(ConfigKey.HEADER_TIMEOUT), p.src(ConfigKey.HEADER_TIMEOUT)),
                ConfigValues.duration(ConfigKey.KEEP_ALIVE_TIMEOUT, p.str(ConfigKey.KEEP_ALIVE_TIMEOUT), p.src(ConfigKey.KEEP_ALIVE_TIMEOUT)),
                ConfigValues.duration(ConfigKey.STREAM_STALL_TIMEOUT, p.str(ConfigKey.STREAM_STALL_TIMEOUT), p.src(ConfigKey.STREAM_STALL_TIMEOUT)),
                ConfigValues.oneOf(ConfigKey.LOG_FORMAT, p.str(ConfigKey.LOG_FORMAT), p.src(ConfigKey.LOG_FORMAT), LogFormat.class),
                template == null ? null : Path.of(template),
                toolCallParser(p.str(ConfigKey.TOOL_CALL_PARSER), p.src(ConfigKey.TOOL_CALL_PARSER)),
                new Cors(p.list(ConfigKey.ALLOWED_ORIGINS), p.list(ConfigKey.ALLOWED_METHODS), p.list(ConfigKey.ALLOWED_HEADERS),
                        credentials),
                sources);
    }

    /** {@code auto} (null: read from the chat template) or a format's name. */
    private static ToolCallFormat toolCallParser(String v, String source) throws ConfigException {
        return v == null || v.equalsIgnoreCase("auto") ? null
                : ConfigValues.oneOf(ConfigKey.TOOL_CALL_PARSER, v, source, ToolCallFormat.class);
    }

    /** One line per key, as start-up prints it, with secrets masked and the source of each value. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            Object v = switch (k) {
                case MODEL -> model == null ? "(built-in demo model)" : model;
                case SERVED_MODEL_NAME -> servedModelName == null ? "(from the model)" : servedModelName;
                case HOST -> host;
                case PORT -> port;
                case DEVICE -> device;
                case THREADS -> threads == 0 ? "0 (all cores)" : threads;
                case TP -> tp;
                case KV_CACHE_MEMORY -> kvCacheMemoryFraction > 0 ? kvCacheMemoryFraction + " of free memory" : kvCacheMemoryBytes + " bytes";
                case KV_CACHE_DTYPE -> kvCacheDtype.name().toLowerCase(java.util.Locale.ROOT);
                case GPU_MEMORY_UTILIZATION -> gpuMemoryUtilization;
                case WEIGHT_LAYOUT -> weightLayout.name().toLowerCase(java.util.Locale.ROOT);
                case PACKED_CACHE -> packedCache;
                case BLOCK_SIZE -> blockSize;
                case MAX_BATCH_TOKENS -> maxBatchTokens;
                case MAX_STEP_MS -> maxStepNanos == EngineConfig.STEP_BUDGET_AUTO ? "auto"
                        : maxStepNanos == EngineConfig.STEP_BUDGET_OFF ? "0 (off)" : maxStepNanos / 1_000_000 + " ms";
                case MAX_RUNNING -> maxRunning;
                case MAX_WAITING -> maxWaiting;
                case MAX_WAITING_TOKENS -> maxWaitingTokens == 0 ? "0 (4x the KV cache)" : maxWaitingTokens;
                case MAX_N -> maxN;
                case MAX_PROMPTS -> maxPrompts;
                case MAX_MODEL_LEN -> maxModelLen == 0 ? "0 (the model's)" : maxModelLen;
                case ENABLE_PREFIX_CACHING -> enablePrefixCaching;
                case WARMUP -> warmup;
                case API_KEY -> sources.getOrDefault(k, "default").equals("default") ? "(none)" : "1 key ****";
                case API_KEYS -> apiKeys.isEmpty() ? "(none: no auth)" : apiKeys.size() + " key(s) ****";
                case API_KEYS_FILE -> apiKeysFile == null ? "(none)" : apiKeysFile;
                case MAX_BODY_SIZE -> maxBodySizeBytes + " bytes";
                case REQUEST_TIMEOUT -> requestTimeout;
                case SHUTDOWN_TIMEOUT -> shutdownTimeout;
                case HEADER_TIMEOUT -> headerTimeout;
                case KEEP_ALIVE_TIMEOUT -> keepAliveTimeout;
                case STREAM_STALL_TIMEOUT -> streamStallTimeout;
                case LOG_FORMAT -> logFormat.name().toLowerCase(java.util.Locale.ROOT);
                case CHAT_TEMPLATE -> chatTemplate == null ? "(the model's)" : chatTemplate;
                case TOOL_CALL_PARSER -> toolCallParser == null ? "auto (from the chat template)" : toolCallParser.wireName();
                case ALLOWED_ORIGINS -> cors.origins().isEmpty() ? "(none: CORS off)" : String.join(",", cors.origins());
                case ALLOWED_METHODS -> String.join(",", cors.methods());
                case ALLOWED_HEADERS -> String.join(",", cors.headers());
                case ALLOW_CREDENTIALS -> cors.credentials();
            };
            lines.add(String.format("  %-24s %s  [%s]", k.yamlName(), v, sources.getOrDefault(k, "default")));
        }
        return lines;
    }
}
