package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;

/** Something a template may call: a global function, a bound method of a value, a macro. */
interface PyCallable {
    Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs);

    /** The Python type name, for error messages ({@code builtin_function_or_method}, {@code Macro}). */
    default String typeName() {
        return "builtin_function_or_method";
    }
}
