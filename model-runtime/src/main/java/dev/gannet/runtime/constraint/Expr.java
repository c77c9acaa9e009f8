package dev.gannet.runtime.constraint;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The grammar IR every front end (JSON Schema, regex, choice, GBNF) produces: a regular expression over
 * bytes and code points whose leaves may also call another rule ({@link Ref}). {@link GrammarCompiler}
 * turns each rule's expression into an automaton over bytes.
 */
sealed interface Expr {
    /** Matches the empty string. */
    Expr EMPTY = new Seq(List.of());

    /** The items one after another. */
    record Seq(List<Expr> items) implements Expr {
        public Seq { items = List.copyOf(items); }
    }

    /** Any one of the options. */
    record Alt(List<Expr> options) implements Expr {
        public Alt {
            options = List.copyOf(options);
            if (options.isEmpty()) throw new IllegalArgumentException("an alternation needs an option");
        }
    }

    /** {@code body} between {@code min} and {@code max} times; {@code max == -1} is unbounded. */
    record Repeat(Expr body, int min, int max) implements Expr {
        public Repeat {
            if (min < 0 || (max != -1 && max < min)) throw new IllegalArgumentException("repeat {" + min + "," + max + "}");
        }
    }

    /** A fixed byte string. */
    record Bytes(byte[] bytes) implements Expr {}

    /** One byte in the set ({@code bits}: 256 bits, 4 longs). */
    record ByteSet(long[] bits) implements Expr {}

    /** One code point in the set, matched as its UTF-8 bytes. */
    record CodePoints(CodePointSet set) implements Expr {}

    /** A call of another rule of the grammar. */
    record Ref(int rule) implements Expr {}

    /** A hand-built automaton over bytes (number ranges). */
    record Fsm(ByteDfa dfa) implements Expr {}

    static Expr seq(Expr... items) {
        return items.length == 1 ? items[0] : new Seq(List.of(items));
    }

    static Expr alt(Expr... options) {
        return options.length == 1 ? options[0] : new Alt(List.of(options));
    }

    static Expr alt(List<Expr> options) {
        return options.size() == 1 ? options.getFirst() : new Alt(options);
    }

    static Expr optional(Expr e) {
        return new Repeat(e, 0, 1);
    }

    static Expr text(String s) {
        return new Bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One byte among the ASCII characters of {@code chars}. */
    static Expr anyOf(String chars) {
        long[] bits = new long[4];
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c > 127) throw new IllegalArgumentException("not ASCII: " + c);
            bits[c >> 6] |= 1L << (c & 63);
        }
        return new ByteSet(bits);
    }

    /** One byte in {@code [lo, hi]}. */
    static Expr byteRange(int lo, int hi) {
        long[] bits = new long[4];
        for (int b = lo; b <= hi; b++) bits[b >> 6] |= 1L << (b & 63);
        return new ByteSet(bits);
    }
}
