package dev.gannet.runtime.toolcall;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One function a request offers the model ({@code tools[i].function}), as far as constraining a call needs it.
 *
 * @param name             OpenAI's rule: 1 to 64 of {@code a-z A-Z 0-9 _ -} (so it can be written into a grammar
 *                         and a JSON string as it is)
 * @param parametersSchema the JSON Schema text of its arguments; {@code {"type": "object"}} when the tool gave none
 */
public record FunctionTool(String name, String parametersSchema) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    /** What a function without a {@code parameters} schema takes: any object. */
    public static final String ANY_OBJECT = "{\"type\": \"object\"}";

    public FunctionTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parametersSchema, "parametersSchema");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("a function name is 1 to 64 of a-z, A-Z, 0-9, _ and -, got '" + name + "'");
        }
    }

    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }
}
