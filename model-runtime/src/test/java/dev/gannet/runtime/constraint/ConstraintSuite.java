package dev.gannet.runtime.constraint;

import com.networknt.schema.JsonSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The shared constraint test set ({@code src/test/resources/constraints}) for tests outside this package: each
 * constraint with an independent judge of its outputs (networknt's JSON Schema validator with formats asserted,
 * {@link java.util.regex} for the regexes, hand-written parsers for the grammars).
 */
public final class ConstraintSuite {
    /** One constraint of the set: its name, its spec, and whether a complete output is valid. */
    public record Case(String name, ConstraintSpec spec, Predicate<String> valid) {
        @Override
        public String toString() {
            return name;
        }
    }

    private ConstraintSuite() {}

    /** The 10 schemas, 5 regexes and 3 grammars, in that order. */
    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (String s : ConstraintTests.SCHEMAS) {
            ConstraintSpec spec = ConstraintTests.schema(s);
            JsonSchema judge = JsonValidation.schema(spec.text());
            out.add(new Case("schema " + s, spec, text -> JsonValidation.isValid(judge, text)));
        }
        for (String r : ConstraintTests.REGEXES) {
            ConstraintSpec spec = ConstraintTests.regex(r);
            Pattern p = Pattern.compile(spec.text());
            out.add(new Case("regex " + r, spec, text -> p.matcher(text).matches()));
        }
        for (String g : ConstraintTests.GRAMMARS) {
            out.add(new Case("grammar " + g, ConstraintTests.grammar(g), text -> GrammarOracles.valid(g, text)));
        }
        return out;
    }
}
