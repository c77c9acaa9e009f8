package dev.gannet.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {
    private static final PreTokenizer LLAMA3 = PreTokenizer.forGgufName("llama-bpe").splitter();
    private static final PreTokenizer QWEN2 = PreTokenizer.forGgufName("qwen2").splitter();
    private static final PreTokenizer GPT2 = PreTokenizer.forGgufName("gpt-2").splitter();

    @Test
    void llama3SplitsDigitsInGroupsOfThree() {
        assertEquals(List.of("123", "456", "78"), LLAMA3.splitToStrings("12345678"));
        assertEquals(List.of("Year", " ", "202", "4", ":", " ", "100", "000", "!"), LLAMA3.splitToStrings("Year 2024: 100000!"));
        // Unicode digits count too (Arabic-Indic)
        assertEquals(List.of("\u0661\u0662\u0663", "\u0664"), LLAMA3.splitToStrings("\u0661\u0662\u0663\u0664"));
    }

    @Test
    void qwen2SplitsSingleDigits() {
        assertEquals(List.of("1", "2", "3", "a"), QWEN2.splitToStrings("123a"));
    }

    @Test
    void llama3ContractionsIgnoreCaseAndPunctuationKeepsNewlines() {
        assertEquals(List.of("I", "'LL", " do", " it", "'s"), LLAMA3.splitToStrings("I'LL do it's"));
        assertEquals(List.of("a", ".\n\n", "b"), LLAMA3.splitToStrings("a.\n\nb"));
        assertEquals(List.of("x", "\n\n", "y"), LLAMA3.splitToStrings("x\n\ny"));
        assertTrue(LLAMA3.splitToStrings("$hello").contains("$hello"), "one non-letter may lead a word");
    }

    @Test
    void gpt2KeepsTheLastSpaceForTheNextWord() {
        assertEquals(List.of("a", "  ", " b"), GPT2.splitToStrings("a   b"));
        assertEquals(List.of("a", "   "), GPT2.splitToStrings("a   "));
        assertEquals(List.of("'s", " naïve", " café", " 日本語"), GPT2.splitToStrings("'s naïve café 日本語"));
        assertEquals(List.of("x", "\t", "y"), GPT2.splitToStrings("x\ty"), "unmatched text is kept, not dropped");
    }

    @Test
    void gpt4oSplitsCamelCaseAndKeepsContractionsOnTheWord() {
        PreTokenizer p = PreTokenizer.forGgufName("llama4").splitter();
        assertEquals(List.of("camel", "Case", "XML", " parser's", " ", "123", "4"), p.splitToStrings("camelCaseXML parser's 1234"));
    }

    @Test
    void piecesCoverTheWholeText() {
        String s = "Hello, y'all! How are you 😁 ?我想在apple工作1314151天～ \u00a0\u2003x\r\n";
        for (PreTokenizer p : List.of(LLAMA3, QWEN2, GPT2, PreTokenizer.forGgufName("default").splitter())) {
            assertEquals(s, String.join("", p.splitToStrings(s)), p.name());
            assertFalse(p.splitToStrings(s).contains(""), p.name());
        }
    }

    @Test
    void unknownPresetListsTheSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreTokenizer.forGgufName("nope"));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("llama-bpe"), e.getMessage());
    }
}
