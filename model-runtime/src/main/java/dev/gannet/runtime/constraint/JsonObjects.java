package dev.gannet.runtime.constraint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The object part of {@link JsonSchemaCompiler}: properties in schema order, optional ones skippable. */
final class JsonObjects {
    private final JsonSchemaCompiler compiler;

    JsonObjects(JsonSchemaCompiler compiler) {
        this.compiler = compiler;
    }

    private record Property(Expr member, Expr firstMember, boolean required) {}

    Expr object(JsonNode s, String ptr) {
        ObjectNode props = s.has("properties") ? JsonSchemaCompiler.asObject(s.get("properties"), ptr, "properties") : null;
        JsonNode additional = s.get("additionalProperties");
        Set<String> required = required(s, ptr);
        if (props == null || props.isEmpty()) {
            if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                if (!required.isEmpty()) throw JsonSchemaCompiler.schemaError(ptr, "required properties " + required + " are not in 'properties'");
                return Expr.seq(Expr.text("{"), JsonGrammar.WS, Expr.text("}"));
            }
            if (!required.isEmpty()) throw JsonSchemaCompiler.schemaError(ptr, "'required' without 'properties' is not supported");
            Expr value = additional == null ? compiler.any()
                    : compiler.compileSchema(additional, JsonSchemaCompiler.childPointer(ptr, "additionalProperties"));
            Expr member = Expr.seq(JsonGrammar.STRING, JsonGrammar.WS, Expr.text(":"), JsonGrammar.WS, value);
            return JsonGrammar.list("{", compiler.rule("member " + ptr, member), 0, -1, "}");
        }
        if (additional != null && !(additional.isBoolean() && !additional.booleanValue())) {
            throw JsonSchemaCompiler.schemaError(JsonSchemaCompiler.childPointer(ptr, "additionalProperties"),
                    "additionalProperties other than false beside 'properties' is not supported");
        }
        List<Property> list = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String propsPtr = JsonSchemaCompiler.childPointer(ptr, "properties");
        for (Map.Entry<String, JsonNode> e : props.properties()) {
            names.add(e.getKey());
            Expr value = compiler.compileSchema(e.getValue(), JsonSchemaCompiler.childPointer(propsPtr, e.getKey()));
            Expr kv = Expr.seq(Expr.text(JsonGrammar.quote(e.getKey())), JsonGrammar.WS, Expr.text(":"), JsonGrammar.WS, value);
            Expr member = Expr.seq(JsonGrammar.WS, Expr.text(","), JsonGrammar.WS, kv);
            list.add(new Property(member, kv, required.contains(e.getKey())));
        }
        for (String r : required) {
            if (!names.contains(r)) throw JsonSchemaCompiler.schemaError(JsonSchemaCompiler.childPointer(ptr, "required"),
                    "required property '" + r + "' is not in 'properties'");
        }
        return Expr.seq(Expr.text("{"), JsonGrammar.WS, tail(list, 0, true), JsonGrammar.WS, Expr.text("}"));
    }

    private static Set<String> required(JsonNode s, String ptr) {
        Set<String> out = new HashSet<>();
        JsonNode r = s.get("required");
        if (r == null) return out;
        if (!r.isArray()) throw JsonSchemaCompiler.schemaError(JsonSchemaCompiler.childPointer(ptr, "required"), "'required' must be an array");
        for (JsonNode x : r) {
            if (!x.isTextual()) throw JsonSchemaCompiler.schemaError(JsonSchemaCompiler.childPointer(ptr, "required"), "'required' must list strings");
            out.add(x.textValue());
        }
        return out;
    }

    /**
     * Properties {@code i..} in order; {@code first}: none written yet (so no comma before the next). Once
     * one is written the rest is linear; only a leading run of optional properties branches.
     */
    private static Expr tail(List<Property> props, int i, boolean first) {
        if (i == props.size()) return Expr.EMPTY;
        Property p = props.get(i);
        if (!first) {
            List<Expr> items = new ArrayList<>();
            for (int j = i; j < props.size(); j++) {
                Property q = props.get(j);
                items.add(q.required() ? q.member() : Expr.optional(q.member()));
            }
            return new Expr.Seq(items);
        }
        Expr taken = Expr.seq(p.firstMember(), tail(props, i + 1, false));
        return p.required() ? taken : Expr.alt(taken, tail(props, i + 1, true));
    }
}
