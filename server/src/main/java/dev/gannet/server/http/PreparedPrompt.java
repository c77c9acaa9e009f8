package dev.gannet.server.http;

/**
 * One tokenized prompt.
 *
 * @param ids   token ids sent to the engine
 * @param text  the prompt text (echo); detokenized when the prompt came as ids
 */
record PreparedPrompt(int[] ids, String text) {
}
