package dev.gannet.server.api;

import dev.gannet.runtime.constraint.Constraint;
import dev.gannet.runtime.constraint.ConstraintCache;
import dev.gannet.runtime.constraint.ConstraintMatcher;
import dev.gannet.runtime.constraint.ConstraintSpec;
import dev.gannet.runtime.constraint.TokenVocabulary;
import dev.gannet.runtime.engine.FinishInfo;
import dev.gannet.runtime.engine.FinishReason;
import dev.gannet.runtime.engine.Request;
import dev.gannet.runtime.engine.RequestEvent;
import dev.gannet.runtime.engine.RequestListener;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.runtime.sampler.TokenLogprobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in engine for server tests. Tokenizer: token id = UTF-16 char code,
 * BOS = 1 ("&lt;s&gt;"), EOS = 2 ("&lt;/s&gt;"). Generation: letters 'a'..'z' in order, starting at
 * {@code seed % 26} (0 when greedy or unseeded), or the {@link #script(String)}'s characters, EOS after
 * {@code eosAfter} tokens (or the script) unless {@code ignore_eos}; stop strings end the text before them. Events run on one "engine" thread, like the real engine's, with a
 * configurable per-token delay. Sequences wait while {@link #hold(boolean)} is on, and submit
 * throws {@link BackendOverloadedException} when more than {@code maxWaiting} wait.
 *
 * <p>Constraints compile for real over the fake vocabulary (each id its character's UTF-8). A constrained sequence
 * takes, of the tokens the constraint allows, EOS, a closing {@code '}'}, {@code ']'} or {@code '"'} first (so it
 * ends soon), else the first printable ASCII character from its letter on ({@code 'a' + (start + generated) % 26},
 * wrapping around), else the lowest allowed id.
 */
public final class FakeBackend implements ServingBackend {
    public static final int VOCAB = 65536;
    public static final int BOS = 1;
    public static final int EOS = 2;

    private final ScheduledExecutorService engine = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-engine");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong waitingTokens = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger aborts = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentLinkedQueue<Sequence> held = new ConcurrentLinkedQueue<>();
    public final List<Request> submitted = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean ready = true;
    private volatile boolean hold;
    private volatile long tokenDelayMillis;
    private volatile int tokensPerStep = 1;
    private volatile int eosAfter = Integer.MAX_VALUE;
    private volatile String script;
    private volatile int maxWaiting = 1000;
    private volatile String chatTemplate = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}"
            + "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    private final int contextLength;
    private volatile long kvCacheTokens = 1 << 20;
    private volatile String bosText = "<s>";
    private volatile String eosText = "</s>";

    public FakeBackend(int contextLength) {
        this.contextLength = contextLength;
    }

    public FakeBackend ready(boolean r) { ready = r; return this; }
    public FakeBackend tokenDelayMillis(long ms) { tokenDelayMillis = ms; return this; }
    /** Tokens produced per step (each step then waits the token delay), to reach a real engine's rates with ms delays. */
    public FakeBackend tokensPerStep(int n) { tokensPerStep = n; return this; }
    public FakeBackend eosAfter(int n) { eosAfter = n; return this; }
    /** Generate exactly this text (one token per character), then EOS; null = the letters. */
    public FakeBackend script(String text) { script = text; return this; }
    public FakeBackend maxWaiting(int n) { maxWaiting = n; return this; }
    public FakeBackend chatTemplate(String t) { chatTemplate = t; return this; }
    public FakeBackend kvCacheTokens(long t) { kvCacheTokens = t; return this; }
    /** The BOS and EOS strings templates see (the tokenizer still maps every character to its code). */
    public FakeBackend specialTokens(String bos, String eos) { bosText = bos; eosText = eos; return this; }

    /** While on, new sequences stay waiting; turning it off starts them. */
    public FakeBackend hold(boolean on) {
        hold = on;
        if (!on) {
            Sequence s;
            while ((s = held.poll()) != null) {
                Sequence seq = s;
                engine.execute(seq::begin);
            }
        }
        return this;
    }

    public int aborts() { return aborts.get(); }
    public int runningNow() { return running.get(); }

    @Override public boolean ready() { return ready; }

    /** Built on first use: the 65,536-token trie takes a moment. */
    private static final class Constraints {
        static final ConstraintCache CACHE = new ConstraintCache(vocabulary(), 64L << 20);

        private static TokenVocabulary vocabulary() {
            byte[][] bytes = new byte[VOCAB][];
            for (int id = 0; id < VOCAB; id++) {
                boolean text = id != BOS && id != EOS && !Character.isSurrogate((char) id);
                bytes[id] = text ? String.valueOf((char) id).getBytes(StandardCharsets.UTF_8) : null;
            }
            return TokenVocabulary.of(bytes, new int[] {EOS});
        }
    }

    @Override
    public Constraint constraint(ConstraintSpec spec) {
        return Constraints.CACHE.get(spec);
    }

    @Override
    public ModelInfo modelInfo() {
        return new ModelInfo("fake-model.gguf", contextLength, VOCAB, chatTemplate, bosText, eosText, "cpu", "none",
                kvCacheTokens);
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, int maxTokens) {
        int off = addSpecial ? 1 : 0;
        if ((long) text.length() + off > maxTokens) {
            throw new dev.gannet.runtime.tokenizer.TokenLimitException(maxTokens, "more than " + maxTokens + " tokens");
        }
        int[] ids = new int[text.length() + off];
        if (addSpecial) {
            ids[0] = BOS;
        }
        for (int i = 0; i < text.length(); i++) {
            ids[i + off] = text.charAt(i);
        }
        return ids;
    }

    @Override
    public String detokenize(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(piece(id));
        }
        return sb.toString();
    }

    static String piece(int id) {
        return id == BOS ? "<s>" : id == EOS ? "</s>" : String.valueOf((char) id);
    }

    @Override
    public String tokenPiece(int id) {
        return piece(id);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return piece(id).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public GenerationHandle submit(Request request, RequestListener listener) {
        request.sampling().checkVocabulary(VOCAB);
        if (waiting.get() >= maxWaiting) {
            throw new BackendOverloadedException("fake queue full", 2);
        }
        submitted.add(request);
        waiting.incrementAndGet();
        Sequence seq = new Sequence(request, listener);
        waitingTokens.addAndGet(seq.cost);
        if (hold) {
            held.add(seq);
        } else {
            engine.execute(seq::begin);
        }
        return seq;
    }

    @Override
    public BackendStats stats() {
        return new BackendStats(running.get(), waiting.get(), waitingTokens.get(), running.get() / 100.0, 10, 4, 0);
    }

    public void shutdown() {
        engine.shutdownNow();
    }

    /** One sequence; all its steps run on the engine thread. */
    private final class Sequence implements GenerationHandle {
        final long id = ids.incrementAndGet();
        final long cost;
        final Request req;
        final RequestListener listener;
        final StringBuilder text = new StringBuilder();
        volatile boolean aborted;
        boolean started;
        boolean done;
        int generated;
        int emitted;
        final ConstraintMatcher matcher;
        final long[] mask;

        Sequence(Request req, RequestListener listener) {
            this.cost = Math.min(contextLength, (long) req.prompt().length + req.sampling().maxTokens());
            this.req = req;
            this.listener = listener;
            this.matcher = req.constraint() == null ? null : req.constraint().newState();
            this.mask = matcher == null ? null : new long[req.constraint().vocabulary().maskWords()];
        }

        /** The token a constrained sequence takes next (see the class comment). */
        private int constrainedToken(int letter) {
            matcher.fillMask(mask);
            for (int id : new int[] {EOS, '}', ']', '"'}) {
                if ((mask[id >>> 6] & (1L << id)) != 0) return id;
            }
            for (int k = 0; k < 94; k++) { // printable ASCII but the space first, from the letter on
                int id = '!' + (letter - '!' + k) % 94;
                if ((mask[id >>> 6] & (1L << id)) != 0) return id;
            }
            for (int id = 0; id < VOCAB; id++) {
                if ((mask[id >>> 6] & (1L << id)) != 0) return id;
            }
            throw new IllegalStateException("the constraint allows no token");
        }

        @Override
        public void abort() {
            aborted = true;
            aborts.incrementAndGet();
            engine.execute(() -> {
                if (!done) {
                    if (!started) {
                        held.remove(this);
                        waiting.decrementAndGet();
                        waitingTokens.addAndGet(-cost);
                        started = true;
                        running.incrementAndGet();
                    }
                    end(FinishReason.ABORT, -1, "");
                }
            });
        }

        void begin() {
            if (started) {
                return;
            }
            started = true;
            waiting.decrementAndGet();
            waitingTokens.addAndGet(-cost);
            running.incrementAndGet();
            engine.schedule(this::step, tokenDelayMillis, TimeUnit.MILLISECONDS);
        }

        void step() {
            for (int k = 0; k < tokensPerStep && !done && !aborted; k++) {
                if (!token()) {
                    return;
                }
            }
            if (!done && !aborted) {
                engine.schedule(this::step, tokenDelayMillis, TimeUnit.MILLISECONDS);
            }
        }

        /** One token; false when the sequence ended. */
        private boolean token() {
            if (done || aborted) {
                return false;
            }
            SamplingParams p = req.sampling();
            int start = p.temperature() == 0 || p.seed() == null ? 0 : (int) Math.floorMod(p.seed(), 26L);
            String scripted = script;
            boolean scriptDone = scripted != null && generated >= scripted.length();
            if ((scriptDone || generated >= eosAfter) && generated >= p.minTokens() && !p.ignoreEos()) {
                generated++;
                end(FinishReason.STOP, EOS, "");
                return false;
            }
            int token = scripted != null && !scriptDone ? scripted.charAt(generated) : 'a' + (start + generated) % 26;
            if (matcher != null) {
                token = constrainedToken(token);
                matcher.accept(token);
                if (token == EOS) {
                    generated++;
                    end(FinishReason.STOP, EOS, text.substring(emitted));
                    return false;
                }
            }
            generated++;
            text.append((char) token);
            int stopAt = stopIndex();
            if (stopAt >= 0) {
                text.setLength(stopAt);
                end(FinishReason.STOP, token, text.substring(emitted));
                return false;
            }
            if (matcher != null && matcher.isComplete()) { // nothing can follow: the real engine stops too
                end(FinishReason.STOP, token, text.substring(emitted));
                return false;
            }
            if (generated >= p.maxTokens()) {
                end(FinishReason.LENGTH, token, text.substring(emitted));
                return false;
            }
            int safe = text.length() - heldBack();
            String newText = text.substring(emitted, safe);
            emitted = safe;
            listener.onEvent(new RequestEvent(id, token, generated - 1, newText, logprobs(token), null));
            return true;
        }

        /** The chosen token at -0.5, alternatives 'A', 'B', ... at -1, -2, ... */
        private TokenLogprobs.Snapshot logprobs(int token) {
            int n = req.sampling().logprobs();
            if (n < 0 || token < 0) {
                return null;
            }
            int[] top = new int[n];
            float[] topLp = new float[n];
            for (int i = 0; i < n; i++) {
                top[i] = 'A' + i;
                topLp[i] = -1f - i;
            }
            return new TokenLogprobs.Snapshot(token, -0.5f, top, topLp);
        }

        private int stopIndex() {
            int best = -1;
            for (String s : req.sampling().stop()) {
                int i = text.indexOf(s);
                if (i >= 0 && (best < 0 || i < best)) {
                    best = i;
                }
            }
            return best;
        }

        /** Length of the longest text suffix that could begin a stop string. */
        private int heldBack() {
            int hold = 0;
            for (String s : req.sampling().stop()) {
                for (int k = Math.min(s.length() - 1, text.length()); k > hold; k--) {
                    if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                        hold = k;
                        break;
                    }
                }
            }
            return Math.max(0, Math.min(hold, text.length() - emitted));
        }

        /** The last event: {@code token} (-1 for none) with the rest of the text. */
        private void end(FinishReason reason, int token, String rest) {
            done = true;
            running.decrementAndGet();
            FinishInfo info = new FinishInfo(reason, req.prompt().length, generated, 0, 0, token == EOS ? EOS : -1, null,
                    1000, 2000, 3000);
            listener.onEvent(new RequestEvent(id, token, token < 0 ? -1 : generated - 1, rest, logprobs(token), info));
        }
    }
}
