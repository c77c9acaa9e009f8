package dev.gannet.runtime.constraint;

import static dev.gannet.runtime.constraint.ConstraintTests.bytes;
import static dev.gannet.runtime.constraint.ConstraintTests.matches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** GBNF grammars through the byte automaton. */
class GbnfConstraintTest {

    @ParameterizedTest
    @ValueSource(strings = {"arithmetic", "list", "json-like"})
    void resourceGrammarsWalkToValidText(String name) {
        Constraint c = bytes(ConstraintTests.grammar(name));
        Random rng = new Random(name.hashCode());
        for (int i = 0; i < 100; i++) {
            ConstraintTests.Walk w = ConstraintTests.randomWalk(c, rng, 5_000);
            assertTrue(w.ended(), "did not end: " + w.text());
            assertTrue(GrammarOracles.valid(name, w.text()), name + ": " + w.text());
        }
    }

    @Test
    void arithmeticExamples() {
        Constraint c = bytes(ConstraintTests.grammar("arithmetic"));
        for (String s : new String[] {"1", "-12 + 3", "(1+2)*3", "((4))", "( 1 - 2 ) / -7 + 3"}) {
            assertTrue(matches(c, s), s);
            assertTrue(GrammarOracles.valid("arithmetic", s), s);
        }
        for (String s : new String[] {"", "1+", "(1", "1++2", "12345", "1  + 2", "1+2+3+4", "1*2*3"}) {
            assertFalse(matches(c, s), s);
            assertFalse(GrammarOracles.valid("arithmetic", s), s);
        }
    }

    @Test
    void syntaxFeatures() {
        String g = """
                # comment line
                root ::= greeting ("," ws name)? "!"   # trailing comment
                greeting ::= "h\\u00e9llo" | "hi" |
                    "yo"
                name ::= [A-Z] [a-z\\-]{1,5}
                  | "\\x41\\U0001F600"
                ws ::= [ \\t]*
                """;
        Constraint c = bytes(ConstraintSpec.grammar(g));
        for (String s : new String[] {"héllo!", "hi, Bob!", "yo,\t\tAnn-a!", "hi,A😀!"}) assertTrue(matches(c, s), s);
        for (String s : new String[] {"hello!", "hi,bob!", "hi, Bobbbbbb!", "yo"}) assertFalse(matches(c, s), s);
    }

    @Test
    void lineStartingWithBarContinuesTheRule() {
        Constraint c = bytes(ConstraintSpec.grammar("root ::= \"a\"\n  | \"b\"\n"));
        assertTrue(matches(c, "a"));
        assertTrue(matches(c, "b"));
    }

    @Test
    void anyCharacterAndNegatedClassesAreUtf8() {
        Constraint c = bytes(ConstraintSpec.grammar("root ::= . [^a]"));
        assertTrue(matches(c, "😀b"));
        assertTrue(matches(c, "xé"));
        assertFalse(matches(c, "xa"));
        ConstraintMatcher m = c.newState();
        assertTrue(m.accept('x'));
        assertFalse(m.accept(0xC0), "0xC0 never starts a UTF-8 character");
        assertFalse(m.accept(0x80), "a continuation byte cannot start one");
        assertTrue(m.accept(0xE2));
        assertFalse(m.accept('b'), "a multi-byte character must be finished");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', value = {
        "root ::= expr\\nexpr ::= expr \"+\" \"1\" | \"1\" ;; left-recursive",
        "root ::= a\\na ::= b? a \"x\" | \"y\"\\nb ::= \"z\" ;; left-recursive",
        "root ::= missing ;; 'missing' is used",
        "start ::= \"a\" ;; no 'root' rule",
        "root ::= \"a\"\\nroot ::= \"b\" ;; defined twice",
        "root ::= <think> ;; token references",
        "root ::= \"abc ;; unterminated string",
        "root ::= [a-z ;; unterminated character class",
        "root = \"a\" ;; expected '::='",
        "root ::= \"a\"{2,1} ;; max < min",
        "root ::= a\\na ::= a ;; matches no string",
        "root ::= (\"a\" ;; expected ')'",
    })
    void refusesBadGrammars(String text, String expected) {
        String grammar = text.replace("\\n", "\n");
        ConstraintException e = assertThrows(ConstraintException.class, () -> bytes(ConstraintSpec.grammar(grammar)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(null, e.pointer());
    }

    @Test
    void rightRecursionAndNullableRulesWork() {
        String g = """
                root ::= list
                list ::= "(" pad items ")"
                items ::= item items | ""
                item ::= "x" | list | "y"
                pad ::= " "?
                """;
        Constraint c = bytes(ConstraintSpec.grammar(g));
        for (String s : new String[] {"()", "( x)", "(x(x)y)", "((((( )))))", "(yyxy)"}) assertTrue(matches(c, s), s);
        for (String s : new String[] {"(", "(x))", "x", "(z)"}) assertFalse(matches(c, s), s);
    }

    /** Right recursion 50,000 deep: the stack grows, and the final pops need no call stack. */
    @Test
    void deepRightRecursion() {
        Constraint c = bytes(ConstraintSpec.grammar("root ::= \"x\" root | \"x\" tail\ntail ::= \"!\"?"));
        String s = "x".repeat(50_000);
        assertTrue(matches(c, s));
        assertTrue(matches(c, s + "!"));
        assertFalse(matches(c, s + "!!"));
    }
}
