package dev.gannet.runtime.model;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackedCacheTest {
    private static List<WeightMatrix> matrices(Model m) {
        List<WeightMatrix> out = new ArrayList<>();
        for (int l = 0; l < m.config().numLayers(); l++) out.addAll(m.layer(l).matrices());
        out.add(m.output());
        return out;
    }

    private static void assertSameBits(Model a, Model b) {
        List<WeightMatrix> x = matrices(a), y = matrices(b);
        for (int i = 0; i < x.size(); i++) {
            WeightMatrix p = x.get(i), q = y.get(i);
            assertEquals(p.name(), q.name());
            assertTrue(p.packed() && q.packed(), p.name());
            assertEquals(-1, MemorySegment.mismatch(p.data(), 0, p.data().byteSize(), q.data(), 0, q.data().byteSize()), p.name());
            assertEquals(-1, MemorySegment.mismatch(p.scales(), 0, p.scales().byteSize(), q.scales(), 0, q.scales().byteSize()), p.name());
        }
    }

    @Test
    void theSecondStartMapsThePackedCopyTheFirstWroteBesideTheModel(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf"}) {
            Path model = Files.copy(TestModels.path(file), dir.resolve(file));
            PackedCache cache = PackedCache.forModel(model, dir.resolve("fallback"));
            assertEquals(dir.resolve(file + ".gannet-packed"), cache.file());
            try (Model first = ModelLoader.load(model, WeightLayout.PACKED, cache)) {
                first.awaitPackedCache();
                assertEquals("packed; cache written to " + cache.file(), first.packedWeights());
                try (Model second = ModelLoader.load(model, WeightLayout.PACKED, cache);
                     Model plain = ModelLoader.load(model, WeightLayout.PACKED)) {
                    assertEquals("mapped from the packed cache", second.packedWeights());
                    assertEquals("packed", plain.packedWeights());
                    assertSameBits(plain, second);
                }
            }
        }
    }

    @Test
    void aStaleOrDamagedCacheIsIgnoredAndWrittenAgain(@TempDir Path dir) throws Exception {
        Path model = Files.copy(TestModels.path("tiny-llama-q8_0.gguf"), dir.resolve("m.gguf"));
        PackedCache cache = PackedCache.forModel(model, dir);
        try (Model m = ModelLoader.load(model, WeightLayout.PACKED, cache)) {
            m.awaitPackedCache();
        }
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 60_000));
        try (Model m = ModelLoader.load(model, WeightLayout.PACKED, cache)) {
            assertTrue(m.packedWeights().startsWith("packed; cache"), "a cache of another version of the file: " + m.packedWeights());
            m.awaitPackedCache();
        }
        try (var ch = java.nio.channels.FileChannel.open(cache.file(), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        try (Model m = ModelLoader.load(model, WeightLayout.PACKED, cache)) {
            assertTrue(m.packedWeights().startsWith("packed; cache"), "a truncated cache: " + m.packedWeights());
            m.awaitPackedCache();
        }
        try (Model m = ModelLoader.load(model, WeightLayout.PACKED, cache)) {
            assertEquals("mapped from the packed cache", m.packedWeights());
        }
        assertFalse(Files.exists(cache.file().resolveSibling(cache.file().getFileName() + ".tmp")));
    }

    @Test
    void aModelFolderThatCannotBeWrittenSendsTheCacheToTheFallbackFolder(@TempDir Path dir) {
        // a folder that does not exist cannot be written, whoever runs the test (root writes anywhere else)
        PackedCache a = PackedCache.forModel(Path.of("/nonexistent-gannet-models/a/m.gguf"), dir);
        PackedCache b = PackedCache.forModel(Path.of("/nonexistent-gannet-models/b/m.gguf"), dir);
        assertEquals(dir, a.file().getParent());
        assertTrue(a.file().getFileName().toString().endsWith("-m.gguf.gannet-packed"), a.toString());
        assertFalse(a.equals(b), "two models of the same file name get two caches");
    }

    @Test
    void mappedLayoutAndNoCacheWriteNothing(@TempDir Path dir) throws Exception {
        Path model = Files.copy(TestModels.path("tiny-llama-q8_0.gguf"), dir.resolve("m.gguf"));
        try (Model m = ModelLoader.load(model, WeightLayout.MAPPED, PackedCache.forModel(model, dir))) {
            assertEquals("mapped", m.packedWeights());
        }
        try (Model m = ModelLoader.load(model, WeightLayout.PACKED, PackedCache.none())) {
            assertEquals("packed", m.packedWeights());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the model");
        }
    }
}
