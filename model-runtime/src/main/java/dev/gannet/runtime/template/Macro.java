package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;

/** A macro value: its definition and the scope it was defined in (it sees that scope's variables when called). */
record Macro(Ast.MacroDef def, Scope closure) implements PyCallable {
    String name() {
        return def.name();
    }

    @Override
    public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
        return in.invoke(this, args, kwargs);
    }

    @Override
    public String typeName() {
        return "Macro";
    }
}
