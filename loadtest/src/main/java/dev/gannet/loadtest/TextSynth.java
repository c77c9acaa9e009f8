package dev.gannet.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds English-looking prompt text of an exact token count. Common short words are one token in
 * the usual BPE vocabularies, so a first guess of one word per token is close; a few rounds against
 * the {@link TokenCounter} then trim or pad to the exact count.
 */
public final class TextSynth {

    /** A fit: the text and the count the counter gave for it. */
    public record Fit(String text, int tokens) {
    }

    private static final String[] WORDS = (
            "the of and to in is that it was for on are as with his they at be this from have or by one had"
            + " not but what all were when we there can an your which their said if do will each about how up"
            + " out them then she many some so these would other into has more her two like him see time could"
            + " no make than first been its who now people my made over did down only way find use may water"
            + " long little very after words called just where most know get through back much before go good"
            + " new write our used me man too any day same right look think also around another came come work"
            + " three word must because does part even place well such here take why things help put years"
            + " different away again off went old number great tell men say small every found still between"
            + " name should home big give air line set own under read last never us left end along while might"
            + " next sound below saw something thought both few those always looked show large often together"
            + " asked house world going want school important until form food keep children feet land side"
            + " without boy once animals life enough took sometimes four head above kind began almost live page"
            + " got earth need far hand high year mother light parts country father let night following picture"
            + " being study second eyes soon times story boys since white days ever paper hard near sentence"
            + " better best across during today others sure means knew its try told young miles sun ways thing"
            + " whole hear example heard several change answer room sea against top turned learn point city play"
            + " toward five using himself usually").split(" ");

    private static final int MAX_ROUNDS = 16;

    private final TokenCounter counter;
    private final AtomicInteger fits = new AtomicInteger();
    private final AtomicInteger exactFits = new AtomicInteger();

    public TextSynth(TokenCounter counter) {
        this.counter = counter;
    }

    public TokenCounter counter() {
        return counter;
    }

    /** {@code n} random common words separated by spaces (no counting: for synthetic assistant turns). */
    public String words(int n, SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder(n * 6);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /**
     * Appends random words to {@code head} until the whole text counts exactly {@code target} tokens;
     * when no exact fit is found in a few rounds, the closest text not over the target wins (else the closest).
     */
    public Fit fit(String head, int target, SplittableRandom rnd) {
        if (target < 1) {
            throw new IllegalArgumentException("token target must be >= 1, got " + target);
        }
        int headTokens = head.isEmpty() ? 0 : counter.count(head);
        List<String> words = new ArrayList<>();
        addWords(words, Math.max(1, target - headTokens), rnd, false);
        String best = null;
        int bestTokens = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String text = join(head, words);
            int n = counter.count(text);
            if (best == null || better(n, bestTokens, target)) {
                best = text;
                bestTokens = n;
            }
            if (n == target) {
                break;
            }
            if (n < target) {
                // After a few rounds pad with "the": one token after a space in every common vocabulary.
                addWords(words, target - n, rnd, round >= 2);
            } else if (words.size() > 1) {
                int drop = Math.min(words.size() - 1, n - target);
                words.subList(words.size() - drop, words.size()).clear();
            } else {
                break;
            }
        }
        fits.incrementAndGet();
        if (bestTokens == target) {
            exactFits.incrementAndGet();
        }
        return new Fit(best, bestTokens);
    }

    /** How many {@link #fit} calls there were, and how many hit their target exactly. */
    public int fits() {
        return fits.get();
    }

    public int exactFits() {
        return exactFits.get();
    }

    private static boolean better(int n, int best, int target) {
        int dn = Math.abs(n - target);
        int db = Math.abs(best - target);
        if (dn != db) {
            return dn < db;
        }
        return n <= target && best > target;
    }

    private void addWords(List<String> words, int n, SplittableRandom rnd, boolean filler) {
        for (int i = 0; i < n; i++) {
            words.add(filler ? "the" : WORDS[rnd.nextInt(WORDS.length)]);
        }
    }

    private static String join(String head, List<String> words) {
        StringBuilder sb = new StringBuilder(head.length() + words.size() * 6);
        sb.append(head);
        for (String w : words) {
            if (!sb.isEmpty() && !Character.isWhitespace(sb.charAt(sb.length() - 1))) {
                sb.append(' ');
            }
            sb.append(w);
        }
        return sb.toString();
    }
}
