package dev.gannet.server.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Every configuration key Gannet knows. One name, three spellings: {@code kv_cache_memory} in YAML,
 * {@code GANNET_KV_CACHE_MEMORY} in the environment, {@code --kv-cache-memory} on the command line.
 * The default here is the single source of truth; {@code configs/default.yaml} repeats it for people
 * (a test keeps the two equal).
 */
public enum ConfigKey {
    MODEL("model", Kind.STRING, null, "GGUF file or Hugging Face folder; empty = the built-in demo model"),
    SERVED_MODEL_NAME("served_model_name", Kind.STRING, null, "name in /v1/models; default: the file's stem"),
    HOST("host", Kind.STRING, "127.0.0.1", "address to bind"),
    PORT("port", Kind.PORT, "8080", "TCP port (HTTP/1.1, HTTP/2 and gRPC share it)"),
    DEVICE("device", Kind.DEVICE, "cpu", "cpu, cuda or cuda:N"),
    THREADS("threads", Kind.NON_NEGATIVE_INT, "0", "compute threads per rank; 0 = all cores"),
    TP("tp", Kind.POSITIVE_INT, "1", "tensor-parallel ranks"),
    KV_CACHE_MEMORY("kv_cache_memory", Kind.SIZE_OR_FRACTION, "1GiB", "memory for the paged KV cache on the CPU: a size (512MiB, 2GiB) or a fraction of free memory (0.3); a GPU's cache takes what gpu_memory_utilization leaves"),
    KV_CACHE_DTYPE("kv_cache_dtype", Kind.KV_DTYPE, "auto", "element type of the KV cache: auto (f32 on the CPU, the activation dtype f16/bf16 on a GPU), f32, f16, bf16, q8_0 (8-bit, ~3.6x the tokens of f32), fp8 (GPU: e4m3 with a scale per KV head row)"),
    GPU_MEMORY_UTILIZATION("gpu_memory_utilization", Kind.FRACTION, "0.9", "share of each GPU's memory for weights, activations and the KV cache (cuda), as vLLM's"),
    WEIGHT_LAYOUT("weight_layout", Kind.WEIGHT_LAYOUT, "packed", "packed (Q8_0/Q4_0 copied once at load into the layout the CPU kernels read fastest) or mapped (zero-copy)"),
    PACKED_CACHE("packed_cache", Kind.BOOL, "true", "keep the packed Q8_0/Q4_0 copy in a file beside the model (or in ~/.cache/gannet/packed when its folder is read-only) and map it at the next start instead of packing again"),
    CPU_KERNELS("cpu_kernels", Kind.CPU_KERNELS, "native", "native (the C kernel library built with Gannet, chosen for this CPU; the Vector API where it is absent), vector (Java Vector API only) or reference (plain Java, one thread: for checking)"),
    BLOCK_SIZE("block_size", Kind.BLOCK_SIZE, "16", "tokens per KV block: a power of two from 1 to 256"),
    MAX_BATCH_TOKENS("max_batch_tokens", Kind.POSITIVE_INT, "512", "token budget of one engine step"),
    MAX_STEP_MS("max_step_ms", Kind.STEP_BUDGET, "auto", "step-time budget while streams decode: prefill chunks are cut so a step is predicted to stay within it (Sarathi-Serve); auto = 2x the decodes' own cost, 0 = off (chunks up to max_batch_tokens), or milliseconds"),
    MAX_RUNNING("max_running", Kind.POSITIVE_INT, "64", "sequences decoding at once"),
    MAX_WAITING("max_waiting", Kind.POSITIVE_INT, "256", "sequences (prompts x n) that may wait before new requests get 429"),
    MAX_WAITING_TOKENS("max_waiting_tokens", Kind.NON_NEGATIVE_INT, "0", "tokens (prompt + max_tokens per sequence) that may wait before 429; 0 = 4x what the KV cache holds"),
    MAX_N("max_n", Kind.POSITIVE_INT, "64", "largest n (choices per prompt) one request may ask for"),
    MAX_PROMPTS("max_prompts", Kind.POSITIVE_INT, "64", "most prompts in one completions request"),
    MAX_MODEL_LEN("max_model_len", Kind.NON_NEGATIVE_INT, "0", "context length cap; 0 = the model's"),
    ENABLE_PREFIX_CACHING("enable_prefix_caching", Kind.BOOL, "true", "reuse KV of identical prompt prefixes"),
    WARMUP("warmup", Kind.BOOL, "true", "run a short prompt and a few decode steps before serving, so the first request does not wait for JIT compilation"),
    API_KEY("api_key", Kind.STRING, null, "one accepted bearer key, vLLM's --api-key (env GANNET_API_KEY, as vLLM's VLLM_API_KEY); joins api_keys"),
    API_KEYS("api_keys", Kind.LIST, "", "accepted bearer keys (comma-separated in env/flags); empty (and no api_key) = no auth"),
    API_KEYS_FILE("api_keys_file", Kind.STRING, null, "file with one accepted key per line"),
    MAX_BODY_SIZE("max_body_size", Kind.SIZE, "4MiB", "largest request body before 413"),
    REQUEST_TIMEOUT("request_timeout", Kind.DURATION, "600s", "per-request deadline, e.g. 30s, 5m"),
    SHUTDOWN_TIMEOUT("shutdown_timeout", Kind.DURATION, "30s", "how long SIGTERM waits for in-flight requests"),
    HEADER_TIMEOUT("header_timeout", Kind.DURATION, "10s", "a connection must send its request head (and the request its body) within this; else it is closed"),
    KEEP_ALIVE_TIMEOUT("keep_alive_timeout", Kind.DURATION, "75s", "an idle keep-alive connection is closed after this (keep it above the load balancer's)"),
    STREAM_STALL_TIMEOUT("stream_stall_timeout", Kind.DURATION, "30s", "a streaming client that reads nothing for this long has its request aborted"),
    LOG_FORMAT("log_format", Kind.LOG_FORMAT, "text", "text or json"),
    CHAT_TEMPLATE("chat_template", Kind.STRING, null, "Jinja chat template file overriding the model's"),
    TOOL_CALL_PARSER("tool_call_parser", Kind.TOOL_CALL_PARSER, "auto", "format of the model's tool calls, as vLLM's --tool-call-parser: auto (read from the chat template), hermes, llama3_json or mistral"),
    ALLOWED_ORIGINS("allowed_origins", Kind.LIST, "*", "CORS: origins allowed to call the API from a browser (* = any, empty = CORS off), as vLLM's --allowed-origins"),
    ALLOWED_METHODS("allowed_methods", Kind.LIST, "*", "CORS: methods allowed (* = any)"),
    ALLOWED_HEADERS("allowed_headers", Kind.LIST, "*", "CORS: request headers allowed (* = any)"),
    ALLOW_CREDENTIALS("allow_credentials", Kind.BOOL, "false", "CORS: allow credentials (cookies, HTTP auth); needs explicit origins");

    /** Value kinds; each knows how to describe what it allows. */
    public enum Kind {
        STRING("a string"),
        PORT("an integer from 0 to 65535"),
        POSITIVE_INT("an integer >= 1"),
        NON_NEGATIVE_INT("an integer >= 0"),
        BLOCK_SIZE("a power of two from 1 to 256"),
        BOOL("true or false"),
        SIZE("a size such as 512MiB, 2GiB or a byte count"),
        SIZE_OR_FRACTION("a size such as 512MiB or 2GiB, or a fraction of free memory in (0, 1) such as 0.3"),
        DURATION("a duration such as 500ms, 30s, 5m, 1h"),
        DEVICE("cpu, cuda or cuda:N"),
        FRACTION("a number in (0, 1] such as 0.9"),
        KV_DTYPE("auto, f32, f16, bf16, q8_0 or fp8"),
        WEIGHT_LAYOUT("packed or mapped"),
        CPU_KERNELS("native, vector or reference"),
        LOG_FORMAT("text or json"),
        TOOL_CALL_PARSER("auto, hermes, llama3_json or mistral"),
        STEP_BUDGET("auto, 0 (off) or a number of milliseconds such as 150"),
        LIST("a list of strings");

        final String allowed;

        Kind(String allowed) { this.allowed = allowed; }

        public String allowed() { return allowed; }
    }

    private final String yamlName;
    private final Kind kind;
    private final String defaultValue;
    private final String description;

    ConfigKey(String yamlName, Kind kind, String defaultValue, String description) {
        this.yamlName = yamlName;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String yamlName() { return yamlName; }

    public String envName() { return "GANNET_" + yamlName.toUpperCase(Locale.ROOT); }

    public String flagName() { return "--" + yamlName.replace('_', '-'); }

    public Kind kind() { return kind; }

    public String defaultValue() { return defaultValue; }

    public String description() { return description; }

    public boolean secret() { return this == API_KEYS || this == API_KEY; }

    public static ConfigKey byYamlName(String name) {
        for (ConfigKey k : values()) {
            if (k.yamlName.equals(name)) return k;
        }
        return null;
    }

    public static String allYamlNames() {
        return Arrays.stream(values()).map(ConfigKey::yamlName).collect(Collectors.joining(", "));
    }
}
