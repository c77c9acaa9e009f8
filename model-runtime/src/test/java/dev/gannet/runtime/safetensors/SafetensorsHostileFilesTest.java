package dev.gannet.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.FuzzChecks;
import dev.gannet.runtime.FuzzSeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile safetensors headers (found reading the reader while fuzzing it, SafetensorsFuzzTest): each is
 * a SafetensorsException naming the tensor, never a tensor that claims more data than the file holds.
 */
class SafetensorsHostileFilesTest {
    @TempDir Path dir;

    @Test
    void aShapeWhoseElementCountOverflowsIsRefused() throws IOException {
        // 2^32 x 2^32 wrapped to 0 elements, matched data_offsets [0, 0], and was accepted
        assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}",
                "tensor t: bad shape [4294967296,4294967296]");
    }

    @Test
    void offsetsNearTheEndOfALongAreRefused() throws IOException {
        // dataStart + end overflowed, passed the bounds check, and asSlice threw IndexOutOfBoundsException
        long end = Long.MAX_VALUE - 2;
        assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + (end - 4) + "," + end + "]}}",
                "tensor t: data_offsets end " + end + " is past the 8 bytes of data");
    }

    @Test
    void fractionalAndTextualNumbersAreRefused() throws IOException {
        assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "tensor t: bad shape [1.5]");
        assertRefused("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", "tensor t: bad data_offsets");
    }

    @Test
    void anIndexNamingAShardThatIsNoPathIsRefused() throws IOException {
        // dir.resolve threw InvalidPathException (an IllegalArgumentException) out of the loader
        Path index = Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), "{\"weight_map\":{\"a\":\"x\\u0000.safetensors\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().startsWith(index.toString()) && e.getMessage().contains("tensor a: shard name x"), e.getMessage());
    }

    @Test
    void anIndexNamingTheFolderAsAShardIsRefused() throws IOException {
        // found by SafetensorsIndexFuzzTest: "." passed the stays-in-the-folder check, and mapping the folder threw
        // a bare IOException "No such device" that named no file
        Path index = Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), "{\"weight_map\":{\"a\":\".\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().startsWith(index.toString()) && e.getMessage().contains("tensor a: shard . is not a file in the folder"),
                e.getMessage());
        IOException mapping = assertThrows(IOException.class, () -> SafetensorsFile.open(dir).close());
        assertTrue(mapping.getMessage().startsWith(dir + ": cannot map"), mapping.getMessage());
    }

    private void assertRefused(String header, String expected) throws IOException {
        byte[] bytes = FuzzSeeds.safetensors(header, new byte[8]);
        Path f = Files.write(dir.resolve("hostile.safetensors"), bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
        FuzzChecks.check(f, bytes.length, () -> SafetensorsFile.open(f).close());
    }
}
