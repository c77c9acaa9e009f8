package dev.gannet.runtime.constraint;

import java.util.regex.Pattern;

/** Independent checkers for the resource grammars' languages (the oracle the random walks are judged by). */
final class GrammarOracles {
    private static final Pattern LIST = Pattern.compile("(- [a-zA-Z]{1,10}( [a-zA-Z]{1,10}){0,4}\n){1,5}");

    private GrammarOracles() {}

    static boolean valid(String grammar, String text) {
        return switch (grammar) {
            case "arithmetic" -> new Arithmetic(text).parses();
            case "list" -> LIST.matcher(text).matches();
            case "json-like" -> JsonValidation.isJson(text) && text.startsWith("{") && JsonLikeDepth.ok(text);
            default -> throw new IllegalArgumentException(grammar);
        };
    }

    /** Recursive descent over the arithmetic grammar, with its repetition bounds. */
    private static final class Arithmetic {
        private final String s;
        private int p;

        Arithmetic(String s) {
            this.s = s;
        }

        boolean parses() {
            return expr() && p == s.length();
        }

        private boolean expr() {
            if (!term()) return false;
            for (int i = 0; i < 2 && op("+-"); i++) if (!term()) return false;
            return true;
        }

        private boolean term() {
            if (!factor()) return false;
            for (int i = 0; i < 1 && op("*/"); i++) if (!factor()) return false;
            return true;
        }

        /** An optional space, the operator, an optional space; backs off if there is no operator. */
        private boolean op(String ops) {
            int save = p;
            if (p < s.length() && s.charAt(p) == ' ') p++;
            if (p < s.length() && ops.indexOf(s.charAt(p)) >= 0) {
                p++;
                if (p < s.length() && s.charAt(p) == ' ') p++;
                return true;
            }
            p = save;
            return false;
        }

        private boolean factor() {
            if (p < s.length() && s.charAt(p) == '(') {
                p++;
                if (p < s.length() && s.charAt(p) == ' ') p++;
                if (!expr()) return false;
                if (p < s.length() && s.charAt(p) == ' ') p++;
                return p < s.length() && s.charAt(p++) == ')';
            }
            if (p < s.length() && s.charAt(p) == '-') p++;
            int start = p;
            while (p < s.length() && Character.isDigit(s.charAt(p)) && p - start < 4) p++;
            return p > start;
        }
    }

    /** The json-like grammar nests at most two levels, and its strings are [a-z ]. */
    private static final class JsonLikeDepth {
        static boolean ok(String text) {
            int depth = 0, max = 0;
            boolean str = false;
            for (char c : text.toCharArray()) {
                if (str) {
                    if (c == '"') str = false;
                    else if (c != ' ' && (c < 'a' || c > 'z')) return false;
                } else if (c == '"') {
                    str = true;
                } else if (c == '{' || c == '[') {
                    max = Math.max(max, ++depth);
                } else if (c == '}' || c == ']') {
                    depth--;
                }
            }
            return max <= 2;
        }
    }
}
