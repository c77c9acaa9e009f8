package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.FuzzChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for what fuzzing tokenizer.json loading found (TokenizerJsonFuzzTest): each hostile
 * file is an IOException naming the file and the entry, and no id sizes a table before it is checked.
 */
class HostileTokenizerJsonTest {
    @TempDir Path dir;

    @Test
    void anIdNearTwoToTheThirtyOneIsRefusedBeforeTheTablesAreSized() throws IOException {
        // the tables were sized max id + 1: 2^31 - 2 allocated 16 GB, 2^31 - 1 overflowed to a NegativeArraySizeException
        for (int id : new int[] {Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            assertRefused("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":" + id + "},\"merges\":[]}}",
                    "model.vocab entry b: id " + id + " is far past the 2 tokens the file lists");
        }
        assertRefused("{\"added_tokens\":[{\"id\":2000000000,\"content\":\"x\"}],\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}}",
                "id 2000000000 is far past");
    }

    @Test
    void idsThatAreNotIntegersAreRefused() throws IOException {
        assertRefused("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":1.5},\"merges\":[]}}", "model.vocab entry a: id 1.5 is not a non-negative integer");
        assertRefused("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":\"0\"},\"merges\":[]}}", "model.vocab entry a: id \"0\" is not");
    }

    @Test
    void invalidJsonIsAnErrorNamingTheFile() throws IOException {
        // Jackson's own message names no file: the loader's must
        assertRefused("{\"model\": [", "not valid JSON");
        assertRefused("[1, 2]", "not a JSON object");
    }

    private void assertRefused(String json, String expected) throws IOException {
        Path f = Files.writeString(dir.resolve("tokenizer.json"), json);
        IOException e = assertThrows(IOException.class, () -> Tokenizers.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
        FuzzChecks.check(f, json.length(), () -> Tokenizers.load(f));
    }
}
