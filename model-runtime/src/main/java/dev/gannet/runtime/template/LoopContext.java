package dev.gannet.runtime.template;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The {@code loop} variable of a for loop: index, first/last, length, previous/next item, cycle, changed. */
final class LoopContext implements PyCallable {
    static final Object NO_ATTRIBUTE = new Object();

    private final List<Object> items;
    private final int depth0;
    private final Function<Object, String> recurse;
    private int index0;
    private Object lastChanged = NO_ATTRIBUTE;

    /** {@code recurse} renders the loop body over other items one level deeper; null for a non-recursive loop. */
    LoopContext(List<Object> items, int depth0, Function<Object, String> recurse) {
        this.items = items;
        this.depth0 = depth0;
        this.recurse = recurse;
    }

    void moveTo(int i) {
        index0 = i;
    }

    int index() {
        return index0 + 1;
    }

    int length() {
        return items.size();
    }

    /** The attribute's value, or {@link #NO_ATTRIBUTE}. */
    Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.hinted("there is no previous item");
            case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : Undefined.hinted("there is no next item");
            case "cycle" -> (PyCallable) (in, args, kw) -> {
                if (args.isEmpty()) throw TemplateException.typeError("no items for cycling given");
                return args.get(index0 % args.size());
            };
            case "changed" -> (PyCallable) (in, args, kw) -> {
                PyTuple now = new PyTuple(args);
                boolean changed = lastChanged == NO_ATTRIBUTE || !Py.eq(lastChanged, now);
                lastChanged = now;
                return changed;
            };
            default -> NO_ATTRIBUTE;
        };
    }

    @Override
    public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
        if (recurse == null) {
            throw TemplateException.typeError("Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.");
        }
        if (args.size() != 1 || !kwargs.isEmpty()) throw TemplateException.typeError("loop() takes exactly one argument");
        return recurse.apply(args.getFirst());
    }

    @Override
    public String typeName() {
        return "LoopContext";
    }
}
