package dev.gannet.runtime.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible byte-to-unicode mapping: printable Latin-1 bytes map to themselves, the other 68
 * bytes to U+0100.. in order, so that every byte string is a string of visible characters (space
 * becomes {@code Ġ}, newline {@code Ċ}). Byte-level BPE vocabularies are written in this alphabet.
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The mapped character of one byte. */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** Maps the UTF-8 bytes of {@code text[start, end)} into the byte alphabet. */
    static String encode(String text, int start, int end) {
        byte[] utf8 = text.substring(start, end).getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        return new String(out);
    }

    /**
     * Maps a vocabulary string in the byte alphabet back to raw bytes. A character outside the
     * alphabet (possible in hand-made vocabularies) is kept as its own UTF-8 rather than dropped.
     */
    static byte[] decode(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
