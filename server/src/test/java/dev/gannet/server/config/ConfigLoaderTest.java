package dev.gannet.server.config;

import dev.gannet.runtime.engine.EngineConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Path CONFIGS = Path.of("..", "configs");

    @TempDir Path tmp;

    private Path yaml(String text) throws IOException {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void builtInDefaults() throws Exception {
        ServerConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertNull(c.model());
        assertEquals("127.0.0.1", c.host());
        assertEquals(8080, c.port());
        assertEquals(16, c.blockSize());
        assertEquals(1L << 30, c.kvCacheMemoryBytes());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertTrue(c.apiKeys().isEmpty());
    }

    @Test
    void stepBudgetIsAutoOffOrMilliseconds() throws Exception {
        assertEquals(EngineConfig.STEP_BUDGET_AUTO, ConfigLoader.load(null, Map.of(), Map.of()).maxStepNanos());
        assertEquals(EngineConfig.STEP_BUDGET_OFF, ConfigLoader.load(yaml("max_step_ms: 0\n"), Map.of(), Map.of()).maxStepNanos());
        assertEquals(EngineConfig.STEP_BUDGET_OFF, ConfigLoader.load(null, Map.of("GANNET_MAX_STEP_MS", "off"), Map.of()).maxStepNanos());
        assertEquals(150_000_000L, ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.MAX_STEP_MS, "150")).maxStepNanos());
        assertEquals(80_000_000L, ConfigLoader.load(yaml("max_step_ms: 80ms\n"), Map.of(), Map.of()).maxStepNanos());
    }

    @Test
    void defaultYamlSaysWhatTheCodeDoes() throws Exception {
        ServerConfig fromFile = ConfigLoader.load(CONFIGS.resolve("default.yaml"), Map.of(), Map.of());
        ServerConfig builtIn = ConfigLoader.load(null, Map.of(), Map.of());
        assertEquals(builtIn.withoutSources(), fromFile.withoutSources());
    }

    @Test
    void everyPresetIsValid() throws Exception {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(CONFIGS, "*.yaml")) {
            for (Path p : ds) {
                ConfigLoader.load(p, Map.of(), Map.of());
                n++;
            }
        }
        assertTrue(n >= 3, "expected presets in " + CONFIGS.toAbsolutePath());
    }

    @Test
    void unknownKeyIsNamedWithItsValue() throws Exception {
        Path f = yaml("port: 9000\nbogus_key: 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("bogus_key"), e.getMessage());
        assertTrue(e.getMessage().contains("value: 1"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed keys"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void badValuesNameKeyValueAndWhatIsAllowed() throws Exception {
        String[][] cases = {
            {"port: 70000", "port", "70000", "0 to 65535"},
            {"port: eighty", "port", "eighty", "0 to 65535"},
            {"block_size: 24", "block_size", "24", "power of two"},
            {"kv_cache_memory: lots", "kv_cache_memory", "lots", "size"},
            {"kv_cache_memory: 0.0", "kv_cache_memory", "0.0", "fraction of free memory"},
            {"request_timeout: 0s", "request_timeout", "0s", "duration"},
            {"device: tpu", "device", "tpu", "cpu, cuda"},
            {"log_format: xml", "log_format", "xml", "text or json"},
            {"weight_layout: compressed", "weight_layout", "compressed", "packed or mapped"},
            {"kv_cache_dtype: q4_0", "kv_cache_dtype", "q4_0", "auto, f32, f16, bf16, q8_0 or fp8"},
            {"max_step_ms: fast", "max_step_ms", "fast", "auto, 0 (off) or a number of milliseconds"},
            {"max_step_ms: -5", "max_step_ms", "-5", "auto, 0 (off)"},
            {"gpu_memory_utilization: 1.5", "gpu_memory_utilization", "1.5", "(0, 1]"},
            {"gpu_memory_utilization: most", "gpu_memory_utilization", "most", "(0, 1]"},
            {"enable_prefix_caching: maybe", "enable_prefix_caching", "maybe", "true or false"},
            {"max_running: 0", "max_running", "0", ">= 1"},
            {"host: {a: 1}", "host", "{", "string"},
        };
        for (String[] c : cases) {
            Path f = yaml(c[0] + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()), c[0]);
            for (int i = 1; i < c.length; i++) assertTrue(e.getMessage().contains(c[i]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void envBeatsFileAndFlagBeatsEnv() throws Exception {
        Path f = yaml("port: 9000\nmax_running: 8\nthreads: 2\n");
        ServerConfig c = ConfigLoader.load(f, Map.of("GANNET_PORT", "9100", "GANNET_MAX_RUNNING", "16"),
                Map.of(ConfigKey.PORT, "9200"));
        assertEquals(9200, c.port());
        assertEquals(16, c.maxRunning());
        assertEquals(2, c.threads());
        assertEquals("flag --port", c.sources().get(ConfigKey.PORT));
        assertEquals("env GANNET_MAX_RUNNING", c.sources().get(ConfigKey.MAX_RUNNING));
    }

    @Test
    void badEnvValueNamesTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("GANNET_PORT", "-1"), Map.of()));
        assertTrue(e.getMessage().contains("GANNET_PORT"), e.getMessage());
    }

    @Test
    void apiKeysAreMaskedInTheStartupPrint() throws Exception {
        Path f = yaml("api_keys: [sk-secret-one, sk-secret-two]\n");
        ServerConfig c = ConfigLoader.load(f, Map.of(), Map.of());
        assertEquals(2, c.apiKeys().size());
        String printed = String.join("\n", c.describe());
        assertFalse(printed.contains("sk-secret"), printed);
        assertTrue(printed.contains("2 key(s)"), printed);
    }

    @Test
    void kvCacheMemoryIsASizeOrAFractionOfFreeMemory() throws Exception {
        ServerConfig size = ConfigLoader.load(yaml("kv_cache_memory: 2GiB\n"), Map.of(), Map.of());
        assertEquals(2L << 30, size.kvCacheMemoryBytes());
        assertEquals(0.0, size.kvCacheMemoryFraction());
        ServerConfig fraction = ConfigLoader.load(null, Map.of("GANNET_KV_CACHE_MEMORY", "0.3"), Map.of());
        assertEquals(0.3, fraction.kvCacheMemoryFraction());
        assertTrue(String.join("\n", fraction.describe()).contains("0.3 of free memory"));
    }

    @Test
    void gpuSettingsHaveVllmDefaultsAndParse() throws Exception {
        ServerConfig d = ConfigLoader.load(null, Map.of(), Map.of());
        assertEquals(0.9, d.gpuMemoryUtilization());
        assertEquals(dev.gannet.runtime.model.KvStorage.Precision.AUTO, d.kvCacheDtype());
        ServerConfig c = ConfigLoader.load(yaml("gpu_memory_utilization: 0.75\nkv_cache_dtype: fp8\n"), Map.of(),
                Map.of(ConfigKey.GPU_MEMORY_UTILIZATION, "0.8"));
        assertEquals(0.8, c.gpuMemoryUtilization());
        assertEquals(dev.gannet.runtime.model.KvStorage.Precision.FP8, c.kvCacheDtype());
        assertEquals("--gpu-memory-utilization", ConfigKey.GPU_MEMORY_UTILIZATION.flagName());
        assertTrue(String.join("\n", c.describe()).contains("gpu_memory_utilization   0.8"), String.join("\n", c.describe()));
    }

    @Test
    void emptyFileSetsNothing() throws Exception {
        assertEquals(8080, ConfigLoader.load(yaml(""), Map.of(), Map.of()).port());
    }


    @Test
    void apiKeyAsVllmSpellsItJoinsApiKeys() throws Exception {
        ServerConfig env = ConfigLoader.load(null, Map.of("GANNET_API_KEY", "k-env"), Map.of());
        assertEquals(java.util.List.of("k-env"), env.apiKeys());
        ServerConfig both = ConfigLoader.load(yaml("api_keys: [a, b]\n"), Map.of(), Map.of(ConfigKey.API_KEY, "k-flag"));
        assertEquals(java.util.List.of("a", "b", "k-flag"), both.apiKeys());
        assertFalse(String.join("\n", both.describe()).contains("k-flag"), "masked");
        assertEquals("--api-key", ConfigKey.API_KEY.flagName());
    }

    @Test
    void closedSetsAreTypedAndCorsFollowsVllm() throws Exception {
        ServerConfig c = ConfigLoader.load(yaml("device: CUDA:1\nkv_cache_dtype: Q8_0\nweight_layout: mapped\nlog_format: json\n"),
                Map.of(), Map.of());
        assertEquals(dev.gannet.runtime.backend.Device.parse("cuda:1"), c.device());
        assertEquals(dev.gannet.runtime.model.KvStorage.Precision.Q8_0, c.kvCacheDtype());
        assertEquals(dev.gannet.runtime.model.WeightLayout.MAPPED, c.weightLayout());
        assertEquals(LogFormat.JSON, c.logFormat());
        ServerConfig d = ConfigLoader.load(null, Map.of(), Map.of());
        assertEquals(java.util.List.of("*"), d.cors().origins());
        ServerConfig off = ConfigLoader.load(yaml("allowed_origins: []\n"), Map.of(), Map.of());
        assertFalse(off.cors().enabled());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(yaml("allow_credentials: true\n"), Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("allowed_origins"), e.getMessage());
    }
}
