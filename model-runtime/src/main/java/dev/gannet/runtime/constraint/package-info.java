/**
 * Structured output: constraints compiled to automata over bytes, and per step the mask of the vocabulary's
 * tokens that keep the output a valid prefix. Depends on nothing of the engine; the only contact with the
 * tokenizer is {@link dev.gannet.runtime.constraint.TokenVocabulary#of(dev.gannet.runtime.tokenizer.Tokenizer)}.
 *
 * <h2>Use</h2>
 * <ol>
 *   <li>Once per model: {@code TokenVocabulary.of(tokenizer)} (token bytes as the detokenizer emits them,
 *       the byte trie) and a {@link dev.gannet.runtime.constraint.ConstraintCache} over it.</li>
 *   <li>Per request, before it is queued: {@code cache.get(spec)} with a
 *       {@link dev.gannet.runtime.constraint.ConstraintSpec} (JSON Schema, JSON object, regex, choice, GBNF);
 *       a bad one throws {@link dev.gannet.runtime.constraint.ConstraintException} (400; for a schema with
 *       the JSON pointer of the problem).</li>
 *   <li>Per sequence: {@code constraint.newState()}; each step {@code fillMask(long[])} (bit {@code id} set =
 *       allowed; end-of-generation only where the output is complete), sample under the mask,
 *       {@code accept(token)}.</li>
 * </ol>
 *
 * <h2>How it works</h2>
 * Front ends ({@code JsonSchemaCompiler}, {@code RegexParser}, {@code GbnfParser}) produce rules as {@code Expr}
 * trees. {@code CompiledGrammar} turns each called rule into a byte DFA whose edges may also call rules,
 * inlining non-recursive rules (so a schema without recursion is one automaton), trims states that cannot
 * finish, and refuses left recursion. A sequence's state is a set of stacks of (rule, state) frames
 * ({@code Stacks}); the mask of a state is the union over its stack tops of a per-position token set that
 * {@code MaskBuilder} computes once per constraint by walking the vocabulary's byte trie (tokens read
 * entirely inside the position's rule are decided then; tokens that leave it are checked against the real
 * stack), as XGrammar's adaptive token mask cache does. The walk skips every subtree where no path can die,
 * accepting its tokens in one sweep without visiting its nodes: its tokens continue with text characters
 * only ({@code TextRuns}: printable ASCII but quote and backslash, well-formed multi-byte UTF-8) and the state
 * has room for that many (a string body has room for any number, a bounded string for what remains), or its
 * bytes all loop on the state. The vocabulary keeps per trie node the bytes and text characters below it,
 * each rule's automaton per state its self-loop bytes and its room.
 */
package dev.gannet.runtime.constraint;
