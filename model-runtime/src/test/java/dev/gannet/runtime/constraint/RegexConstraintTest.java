package dev.gannet.runtime.constraint;

import static dev.gannet.runtime.constraint.ConstraintTests.bytes;
import static dev.gannet.runtime.constraint.ConstraintTests.matches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Regular expressions through the byte automaton, against java.util.regex as the oracle. */
class RegexConstraintTest {

    @ParameterizedTest
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', value = {
        "\\(\\d{3}\\) \\d{3}-\\d{4} ;; (555) 123-4567 ;; (555) 123-456",
        "[a-z]+@[a-z]+\\.(com|org) ;; bob@example.org ;; bob@example.net",
        "(ab|a)(bc|c)? ;; abc ;; abcc",
        "[^a-c]{2,3} ;; xyz ;; xa",
        "colou?r ;; color ;; colouur",
        "a{2,}b ;; aaaab ;; ab",
        "\\w+\\s\\W ;; foo_1 ! ;; foo  !",
        "[\\d.]+ ;; 3.14 ;; 3,14",
        "(?:x|y)*z ;; xyxyz ;; xyx",
        "(?<year>\\d{4})-\\d{2} ;; 2024-05 ;; 24-05",
        "^caf[éè]$ ;; café ;; cafe",
        "\\u00e9\\x41+ ;; éAA ;; é",
        "[α-ω]{1,3}😀 ;; αβ😀 ;; a😀",
        ".+ ;; any thing ;; ``",
        "a|b|c|d ;; d ;; ``",
    })
    void agreesWithJavaOnExamples(String pattern, String valid, String invalid) {
        Constraint c = bytes(ConstraintSpec.regex(pattern));
        String inv = invalid == null ? "" : invalid;
        assertTrue(matches(c, valid), pattern + " should match " + valid);
        assertEquals(Pattern.matches(pattern, inv), matches(c, inv), pattern + " on '" + inv + "'");
        assertFalse(Pattern.matches(pattern, inv), "the example itself is wrong: " + inv);
    }

    /** Random walks produce matches; one-character edits of them agree with java.util.regex. */
    @ParameterizedTest
    @ValueSource(strings = {"01-phone", "02-date", "03-identifier", "04-email", "05-unicode-answer"})
    void resourceRegexesAgreeWithJavaUnderEdits(String name) {
        String pattern = ConstraintTests.regex(name).text();
        Constraint c = bytes(ConstraintTests.regex(name));
        Pattern p = Pattern.compile(pattern);
        Random rng = new Random(17);
        String alphabet = "ab_Z09(). -@—é\n" + pattern;
        for (int i = 0; i < 150; i++) {
            ConstraintTests.Walk w = ConstraintTests.randomWalk(c, rng, 400);
            assertTrue(w.ended(), "walk did not end: " + w.text());
            assertTrue(p.matcher(w.text()).matches(), pattern + " vs " + w.text());
            StringBuilder edited = new StringBuilder(w.text());
            int at = edited.isEmpty() ? 0 : rng.nextInt(edited.length());
            char x = alphabet.charAt(rng.nextInt(alphabet.length()));
            switch (rng.nextInt(3)) {
                case 0 -> edited.insert(at, x);
                case 1 -> { if (!edited.isEmpty()) edited.deleteCharAt(at); }
                default -> { if (!edited.isEmpty()) edited.setCharAt(at, x); }
            }
            String s = edited.toString();
            assertEquals(p.matcher(s).matches(), matches(c, s), pattern + " on '" + s + "'");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', value = {
        "(a)\\1 ;; backreferences",
        "a(?=b) ;; lookaround",
        "\\bword ;; word boundaries",
        "(?i)abc ;; lookaround, flags",
        "a++ ;; possessive",
        "(ab ;; missing ')'",
        "ab) ;; unbalanced ')'",
        "*a ;; nothing to repeat",
        "[abc ;; unterminated character class",
        "a{3,2} ;; max < min",
        "\\p{L} ;; Unicode property",
        "a^b ;; '^' is supported only",
    })
    void refusesUnsupportedSyntaxWithAClearMessage(String pattern, String expected) {
        ConstraintException e = assertThrows(ConstraintException.class, () -> bytes(ConstraintSpec.regex(pattern)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(null, e.pointer());
    }

    @Test
    void choiceMatchesExactlyItsStrings() {
        Constraint c = bytes(ConstraintSpec.choice(java.util.List.of("yes", "no", "yes please", "ñandú")));
        for (String s : new String[] {"yes", "no", "yes please", "ñandú"}) assertTrue(matches(c, s), s);
        for (String s : new String[] {"", "ye", "yes ", "No", "nandu"}) assertFalse(matches(c, s), s);
        ConstraintMatcher m = c.newState();
        for (byte b : "yes".getBytes()) assertTrue(m.accept(b & 0xFF));
        assertTrue(m.canTerminate());
        assertFalse(m.isComplete(), "' please' may still follow");
    }

    @Test
    void choiceErrors() {
        assertThrows(ConstraintException.class, () -> bytes(new ConstraintSpec(ConstraintKind.CHOICE, "[]")));
        assertThrows(ConstraintException.class, () -> bytes(new ConstraintSpec(ConstraintKind.CHOICE, "[1]")));
        assertThrows(ConstraintException.class, () -> bytes(new ConstraintSpec(ConstraintKind.CHOICE, "yes")));
    }

    @Test
    void regexThatMatchesNothingIsRefused() {
        ConstraintException e = assertThrows(ConstraintException.class, () -> bytes(ConstraintSpec.regex("[^\\x00-\\x{10FFFF}]")));
        assertTrue(e.getMessage().contains("matches no string"), e.getMessage());
    }
}
