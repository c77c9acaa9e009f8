package dev.gannet.server.cli;

import dev.gannet.cuda.CudaLibraryPaths;
import dev.gannet.runtime.backend.ComputeOptions;
import dev.gannet.runtime.backend.Device;
import dev.gannet.runtime.backend.ForwardFactory;
import dev.gannet.runtime.model.CpuCompute;
import dev.gannet.runtime.model.Model;
import dev.gannet.runtime.model.ModelLoader;
import dev.gannet.runtime.model.PackedCache;
import dev.gannet.runtime.serving.ChatTemplates;
import dev.gannet.runtime.serving.LlmService;
import dev.gannet.runtime.serving.ServingOptions;
import dev.gannet.runtime.synth.DemoModel;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tokenizer.Tokenizer;
import dev.gannet.runtime.tokenizer.Tokenizers;
import dev.gannet.server.backend.EngineBackend;
import dev.gannet.server.config.ConfigException;
import dev.gannet.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the configured model (or writes and loads the demo model) and starts its engine. */
final class ModelHost {
    private ModelHost() {}

    /** The model is loaded and its engine thread started; the caller closes the service. */
    record Loaded(LlmService service, EngineBackend backend, String servedName, Path path) implements AutoCloseable {
        @Override
        public void close() {
            service.close();
            service.model().close();
        }
    }

    /**
     * @param cacheDir where the demo model is kept (e.g. ~/.cache/gannet)
     */
    static Loaded load(ServerConfig cfg, Path cacheDir, CudaLibraryPaths cudaLibraries) throws ConfigException, IOException {
        try {
            ForwardFactory.checkAvailable(cfg.device(), cfg.tp(), cudaLibraries); // before a model of many gigabytes is loaded for nothing
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Path path = cfg.model();
        String name = cfg.servedModelName();
        if (path == null) {
            Files.createDirectories(cacheDir);
            path = DemoModel.ensure(cacheDir.resolve(DemoModel.fileName(GgmlType.Q8_0)), GgmlType.Q8_0);
            if (name == null) name = DemoModel.NAME;
        } else if (!Files.exists(path)) {
            throw new ConfigException("model " + path + ": no such file or folder");
        }
        if (name == null) name = stem(path);
        String template = cfg.chatTemplate() != null ? Files.readString(cfg.chatTemplate())
                : ChatTemplates.find(path).orElse(null);
        Model model = ModelLoader.load(path, cfg.weightLayout(),
                cfg.packedCache() ? PackedCache.forModel(path, cacheDir.resolve("packed")) : PackedCache.none());
        try {
            Tokenizer tok = Tokenizers.load(path);
            boolean cpu = cfg.device().kind() == Device.Kind.CPU; // a GPU sizes its cache from gpu_memory_utilization
            ComputeOptions compute = new ComputeOptions(cfg.device(), CpuCompute.VECTOR, cfg.threads(), cfg.tp(),
                    cpu ? kvCacheBytes(cfg) : 0, cfg.kvCacheDtype(), cfg.blockSize(), cfg.maxBatchTokens(), cfg.maxRunning(),
                    cfg.gpuMemoryUtilization(), cudaLibraries);
            LlmService service = new LlmService(model, tok, new ServingOptions(compute, cfg.maxRunning(), cfg.maxModelLen(),
                    cfg.enablePrefixCaching(), cfg.maxStepNanos()), cfg.warmup());
            EngineBackend backend = new EngineBackend(service, name, template);
            return new Loaded(service, backend, name, path);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The KV budget in bytes: as configured, or the configured fraction of the memory free now. A size larger
     * than the free memory is refused: the cache is allocated and touched up front, and would swap or be killed.
     */
    static long kvCacheBytes(ServerConfig cfg) throws ConfigException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long free = os.getFreeMemorySize();
        if (cfg.kvCacheMemoryFraction() > 0) return Math.max(1L << 20, (long) (cfg.kvCacheMemoryFraction() * free));
        if (cfg.kvCacheMemoryBytes() > free) {
            throw new ConfigException(String.format("kv_cache_memory %d bytes is more than the %d bytes of memory free;"
                    + " give a smaller size or a fraction of free memory such as 0.5", cfg.kvCacheMemoryBytes(), free));
        }
        return cfg.kvCacheMemoryBytes();
    }

    static String stem(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 && Files.isRegularFile(p) ? f.substring(0, dot) : f;
    }
}
