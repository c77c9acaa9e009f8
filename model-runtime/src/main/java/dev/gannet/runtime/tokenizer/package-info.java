/**
 * Tokenizers that reproduce llama.cpp's token ids: SentencePiece (Llama 2, TinyLlama, stories),
 * byte-level BPE (GPT-2, Llama 3, Qwen2) and SentencePiece-converted BPE with byte fallback.
 *
 * <ul>
 *   <li>{@link dev.gannet.runtime.tokenizer.Tokenizers}: build one from a GGUF file, a Hugging Face
 *       folder / {@code tokenizer.json}, or whichever a path is ({@code load}).</li>
 *   <li>{@link dev.gannet.runtime.tokenizer.Tokenizer}: {@code encode(text, addSpecial, parseSpecial)},
 *       {@code decode(ids)}, token facts (bytes, text, type), BOS/EOS/EOT and end-of-generation ids.
 *       Immutable and thread-safe.</li>
 *   <li>{@link dev.gannet.runtime.tokenizer.StreamingDecoder}: per-sequence incremental detokenizer that
 *       returns only whole characters.</li>
 * </ul>
 * Everything else in the package is the machinery: special-token splitting, normalization, the
 * pre-tokenizer regexes per llama.cpp pre-tokenizer name, the GPT-2 byte alphabet and the merge loop.
 */
package dev.gannet.runtime.tokenizer;
