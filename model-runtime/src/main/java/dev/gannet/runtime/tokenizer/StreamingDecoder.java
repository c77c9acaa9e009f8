package dev.gannet.runtime.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns token ids into text one id at a time, returning only complete characters: the bytes of a
 * character split over several tokens (byte-fallback {@code <0xXX>} tokens, byte-level BPE pieces of
 * an emoji) are held back until the character is complete. Bytes that can never form a character
 * become U+FFFD at once; an incomplete character left at the end becomes U+FFFD on {@link #flush()}.
 * Feeding a sequence id by id and then flushing gives exactly {@link Tokenizer#decode(int[], boolean,
 * boolean)} of the whole sequence.
 *
 * <p>One decoder per generated sequence, owned by one thread. {@link #accept(int)} allocates only the
 * returned string (nothing when no character completes); {@link #accept(int, StringBuilder)} allocates nothing.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(64); // write mode: bytes not yet decoded
    private CharBuffer chars = CharBuffer.allocate(64);
    private boolean stripSpace;

    StreamingDecoder(Tokenizer tokenizer, boolean sequenceStart, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
        this.stripSpace = sequenceStart && tokenizer.stripsLeadingSpace();
    }

    /** Adds one token; returns the text completed by it (often empty, never a partial character). */
    public String accept(int id) {
        if (!push(id)) return "";
        drain(false);
        return chars.length() == 0 ? "" : chars.toString();
    }

    /** Adds one token and appends the text it completes to {@code out}; returns the chars appended. Allocates nothing. */
    public int accept(int id, StringBuilder out) {
        if (!push(id)) return 0;
        drain(false);
        int n = chars.length();
        out.append(chars);
        return n;
    }

    /** Queues the token's bytes; false when it renders as nothing. */
    private boolean push(int id) {
        byte[] p = tokenizer.piece(id, renderSpecial);
        if (p.length == 0) return false;
        int from = 0;
        if (stripSpace) {
            stripSpace = false;
            if (p[0] == ' ') from = 1;
        }
        if (pending.remaining() < p.length - from) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + p.length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(p, from, p.length - from);
        return true;
    }

    /** Ends the sequence: returns what was held back, an incomplete character as U+FFFD. */
    public String flush() {
        drain(true);
        utf8.reset();
        return chars.length() == 0 ? "" : chars.toString();
    }

    /** Forgets pending bytes and starts a new sequence. */
    public void reset(boolean sequenceStart) {
        pending.clear();
        utf8.reset();
        stripSpace = sequenceStart && tokenizer.stripsLeadingSpace();
    }

    /** Whether bytes of an incomplete character are being held back. */
    public boolean hasPending() {
        return pending.position() > 0;
    }

    /** Decodes what is pending into {@code chars} (flipped for reading). */
    private void drain(boolean end) {
        pending.flip();
        int need = (int) Math.ceil(pending.remaining() * (double) utf8.maxCharsPerByte()) + 2;
        if (chars.capacity() < need) chars = CharBuffer.allocate(need);
        chars.clear();
        CoderResult r = utf8.decode(pending, chars, end);
        if (r.isError() || r.isOverflow()) throw new IllegalStateException("UTF-8 decoding: " + r);
        if (end) utf8.flush(chars);
        pending.compact();
        chars.flip();
    }
}
