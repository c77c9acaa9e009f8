package dev.gannet.runtime.serving;

import dev.gannet.runtime.engine.Detokenizer;
import dev.gannet.runtime.tokenizer.StreamingDecoder;
import dev.gannet.runtime.tokenizer.Tokenizer;
import java.util.List;

/**
 * One request's text: detokenizes generated tokens incrementally and applies stop strings. Text that
 * could still turn out to be the start of a stop string is held back, so a partial stop string is never
 * streamed; when a stop string completes, the text before it is released and the rest dropped (the stop
 * string itself is not part of the output, as in OpenAI's API). Engine thread only.
 */
final class TextStream implements Detokenizer {
    private final StreamingDecoder decoder;
    private final List<String> stops;
    private final int maxStopLen;
    private final StringBuilder pending = new StringBuilder(); // decoded, not yet released
    private final StringBuilder scratch = new StringBuilder();
    private boolean stopped;

    TextStream(Tokenizer tokenizer, List<String> stops) {
        this.decoder = tokenizer.streamingDecoder(false);
        this.stops = List.copyOf(stops);
        int m = 0;
        for (String s : stops) {
            if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
            m = Math.max(m, s.length());
        }
        this.maxStopLen = m;
    }

    /** Feeds the next generated token; true when a stop string completed with it (only when {@code checkStops}). */
    @Override
    public boolean accept(int token, boolean checkStops) {
        if (stopped) return true;
        scratch.setLength(0);
        decoder.accept(token, scratch);
        pending.append(scratch);
        if (!checkStops || stops.isEmpty()) return false;
        int cut = firstStop();
        if (cut >= 0) {
            pending.setLength(cut);
            stopped = true;
        }
        return stopped;
    }

    /** Text that can be released now; everything when {@code finished}. */
    @Override
    public String take(boolean finished) {
        if (finished && !stopped) {
            pending.append(decoder.flush());
        }
        int keep = finished || stopped ? 0 : heldBack();
        int release = pending.length() - keep;
        if (release <= 0) return "";
        String out = pending.substring(0, release);
        pending.delete(0, release);
        return out;
    }

    private int firstStop() {
        int best = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /** Length of the longest suffix of pending text that is a proper prefix of some stop string. */
    private int heldBack() {
        int n = pending.length();
        for (int len = Math.min(n, maxStopLen - 1); len > 0; len--) {
            for (String s : stops) {
                if (s.length() > len && endsWithPrefix(n, s, len)) return len;
            }
        }
        return 0;
    }

    private boolean endsWithPrefix(int n, String s, int len) {
        for (int i = 0; i < len; i++) {
            if (pending.charAt(n - len + i) != s.charAt(i)) return false;
        }
        return true;
    }
}
