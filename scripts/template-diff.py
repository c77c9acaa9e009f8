#!/usr/bin/python3
"""Differential check of Gannet's chat-template interpreter against Python's jinja2 (as Hugging Face configures it).

  template-diff.py gen SEED COUNT OUT.json     random templates: expressions (filters, tests, methods, operators)
                                               and statements (loops, ifs, sets, macros, whitespace control)
  template-diff.py ref CASES.json OUT.json     render them with jinja2 (Debian's python3-jinja2)
  template-diff.py compare CASES.json JAVA.json PY.json [SHOW]
                                               count agreements; object addresses in reprs are ignored
Run through scripts/template-diff.sh.
"""
import json, random, re, sys
from datetime import datetime

CTX = {"l": [3, 1, 2], "m": {"a": 1, "b": [1, "x"], "c": None}, "s": "a,b, c", "n": None, "i": 7, "f": 1.5, "emoji": "x😀y",
       "msgs": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo", "a": 2}]}
ATOMS = ["1", "0", "-3", "2.5", "0.1", "'abc'", "''", "' a B '", "none", "true", "false", "[1, 2, 3]", "[]", "{'a': 1, 'b': 'x'}",
         "{}", "(1, 'x')", "l", "m", "s", "n", "i", "f", "u", "msgs", "msgs[0]", "m.a", "m.b", "m.zz", "l[0]", "l[-1]", "s[1:]",
         "l[::-1]", "'x' ~ i", "range(3)", "emoji", "'é😀'", "'%s'", "'{}'"]
BINOPS = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", ">=", "in", "not in", "and", "or", "**"]
FILTERS = ["length", "list", "first", "last", "string", "upper", "lower", "trim", "tojson", "sort", "reverse", "join", "join(',')",
           "unique", "items", "default('D')", "d('D', true)", "int", "float", "abs", "round", "title", "capitalize", "indent(2)",
           "indent(2, true)", "map('string')", "map(attribute='a')", "select", "reject", "selectattr('role')", "rejectattr('a')",
           "sum", "min", "max", "count", "replace('a', 'b')", "center(7)", "batch(2)", "dictsort", "tojson(indent=2)", "safe", "e",
           "wordcount", "format(1)", "truncate(4)", "list|length"]
TESTS = ["string", "mapping", "iterable", "sequence", "number", "integer", "float", "none", "defined", "undefined", "boolean",
         "true", "false", "odd", "even", "divisibleby 2", "eq 1", "in [1, 'abc']", "lower", "upper", "callable", "sameas none"]
METHODS = ["upper()", "lower()", "strip()", "split()", "split(',')", "startswith('a')", "endswith('c')", "replace('a', 'z')",
           "title()", "items()", "keys()", "values()", "get('a')", "get('q', 0)", "count('a')", "find('b')", "join(['x', 'y'])",
           "format(1, 2)", "lstrip('a')", "rstrip()", "splitlines()", "capitalize()", "index(1)", "isdigit()", "zfill(5)", "partition('b')"]
TEXTS = ["", " ", "\n", "  \n", "\n  ", "x", " y ", "\n\n", "\t", "a\n  b", "  ", "\n    "]
STMT_EXPRS = ["x", "loop.index", "i", "'s'", "ns.v", "m(1)", "y", "l|length", "i * 2", "x is odd"]


def expr(rnd, d=0):
    r = rnd.random()
    if d > 2 or r < 0.3: return rnd.choice(ATOMS)
    if r < 0.5: return f"({expr(rnd, d+1)} {rnd.choice(BINOPS)} {expr(rnd, d+1)})"
    if r < 0.7: return f"({expr(rnd, d+1)})|{rnd.choice(FILTERS)}"
    if r < 0.8: return f"({expr(rnd, d+1)} is {rnd.choice(['', 'not '])}{rnd.choice(TESTS)})"
    if r < 0.9: return f"({expr(rnd, d+1)}).{rnd.choice(METHODS)}"
    if r < 0.95: return f"(not {expr(rnd, d+1)})"
    return f"({expr(rnd, d+1)} if {expr(rnd, d+1)} else {expr(rnd, d+1)})"


def block(rnd, d):
    ws = lambda: rnd.choice(["", "-", "+", ""]) if rnd.random() < 0.5 else ""
    txt = lambda: rnd.choice(TEXTS)
    out = []
    for _ in range(rnd.randint(1, 4)):
        r, a, b = rnd.random(), ws(), ws()
        if d < 3 and r < 0.2:
            out.append(f"{txt()}{{%{a} for x in l {b}%}}{txt()}{block(rnd, d+1)}{txt()}{{%{ws()} endfor {ws()}%}}")
        elif d < 3 and r < 0.35:
            out.append(f"{txt()}{{%{a} if x is defined and x > 1 {b}%}}{block(rnd, d+1)}{{%{ws()} elif i {ws()}%}}{txt()}"
                       f"{block(rnd, d+1)}{{%{ws()} else {ws()}%}}{txt()}{{%{ws()} endif {ws()}%}}")
        elif r < 0.45: out.append(f"{txt()}{{%{a} set y = {rnd.choice(STMT_EXPRS)} {b}%}}{txt()}")
        elif r < 0.52: out.append(f"{txt()}{{%{a} set ns.v = ns.v ~ '{rnd.choice('abc')}' {b}%}}{txt()}")
        elif r < 0.6: out.append(f"{txt()}{{#{a} comment {b}#}}{txt()}")
        elif d < 3 and r < 0.66: out.append(f"{{%{a} set z {b}%}}{txt()}{block(rnd, d+1)}{{%{ws()} endset {ws()}%}}{{{{ z|trim }}}}")
        elif d < 3 and r < 0.72: out.append(f"{{%{a} filter upper {b}%}}{block(rnd, d+1)}{{%{ws()} endfilter {ws()}%}}")
        else: out.append(f"{txt()}{{{{{a} {rnd.choice(STMT_EXPRS)} {b}}}}}{txt()}")
    return "".join(out)


def gen(seed, count, out):
    rnd = random.Random(seed)
    cases = [{"t": "{{ " + expr(rnd) + " }}", "ctx": CTX} for _ in range(count // 2)]
    cases += [{"t": "{% set ns = namespace(v='') %}{% macro m(a) %}" + rnd.choice(TEXTS) + "[{{ a }}]" + rnd.choice(TEXTS)
               + "{% endmacro %}" + block(rnd, 0) + "{{ ns.v }}", "ctx": {"l": [1, 2, 3], "i": 2}} for _ in range(count - count // 2)]
    json.dump(cases, open(out, "w"))


def ref(cases, out):
    import jinja2
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = lambda x, ensure_ascii=False, indent=None, separators=None, sort_keys=False: json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
    def raise_exception(message): raise jinja2.exceptions.TemplateError(message)
    env.globals["raise_exception"] = raise_exception
    now = datetime.strptime("2024-07-26", "%Y-%m-%d")
    env.globals["strftime_now"] = lambda fmt: now.strftime(fmt)
    results = []
    for c in json.load(open(cases)):
        try:
            results.append("OK " + env.from_string(c["t"]).render(**c["ctx"]))
        except Exception as e:
            results.append("ERR " + type(e).__name__ + ": " + str(e))
    json.dump(results, open(out, "w"))


def compare(cases, java, py, show=0):
    norm = lambda s: re.sub(r"(?i)(<|&lt;)([\w.]+) object.*?(>|&gt;)", lambda m: "<" + m.group(2).lower() + " object>", s)
    cs, js, ps = json.load(open(cases)), json.load(open(java)), json.load(open(py))
    bad = [(c, a, b) for c, a, b in zip(cs, js, ps) if norm(a) != norm(b)]
    for c, a, b in bad[:show]:
        print("template:", c["t"][:300]); print("  gannet:", a[:300]); print("  jinja2:", b[:300])
    print(f"{len(cs) - len(bad)} of {len(cs)} templates render identically")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen": gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif cmd == "ref": ref(sys.argv[2], sys.argv[3])
    elif cmd == "compare": compare(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    else: sys.exit(__doc__)
