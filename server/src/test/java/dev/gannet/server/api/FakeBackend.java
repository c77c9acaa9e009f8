package dev.gannet.server.api;

import dev.gannet.runtime.engine.FinishReason;
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
 * {@code seed % 26} (0 when greedy or unseeded), EOS after {@code eosAfter} tokens unless
 * {@code ignore_eos}. Callbacks run on one "engine" thread, like the real engine's, with a
 * configurable per-token delay. Sequences wait while {@link #hold(boolean)} is on, and submit
 * throws {@link BackendOverloadedException} when more than {@code maxWaiting} wait.
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
    private final AtomicInteger aborts = new AtomicInteger();
    private final ConcurrentLinkedQueue<Sequence> held = new ConcurrentLinkedQueue<>();
    public final List<GenerationRequest> submitted = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean ready = true;
    private volatile boolean hold;
    private volatile long tokenDelayMillis;
    private volatile int eosAfter = Integer.MAX_VALUE;
    private volatile int maxWaiting = 1000;
    private volatile String chatTemplate = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}"
            + "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    private final int contextLength;

    public FakeBackend(int contextLength) {
        this.contextLength = contextLength;
    }

    public FakeBackend ready(boolean r) { ready = r; return this; }
    public FakeBackend tokenDelayMillis(long ms) { tokenDelayMillis = ms; return this; }
    public FakeBackend eosAfter(int n) { eosAfter = n; return this; }
    public FakeBackend maxWaiting(int n) { maxWaiting = n; return this; }
    public FakeBackend chatTemplate(String t) { chatTemplate = t; return this; }

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

    @Override
    public ModelInfo modelInfo() {
        return new ModelInfo("fake-model.gguf", contextLength, VOCAB, chatTemplate, "<s>", "</s>", "cpu", "none");
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial) {
        int off = addSpecial ? 1 : 0;
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
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        if (waiting.get() >= maxWaiting) {
            throw new BackendOverloadedException("fake queue full", 2);
        }
        submitted.add(request);
        waiting.incrementAndGet();
        Sequence seq = new Sequence(request, listener);
        if (hold) {
            held.add(seq);
        } else {
            engine.execute(seq::begin);
        }
        return seq;
    }

    @Override
    public BackendStats stats() {
        return new BackendStats(running.get(), waiting.get(), running.get() / 100.0, 10, 4, 0);
    }

    public void shutdown() {
        engine.shutdownNow();
    }

    /** One sequence; all its steps run on the engine thread. */
    private final class Sequence implements GenerationHandle {
        final GenerationRequest req;
        final GenerationListener listener;
        final StringBuilder text = new StringBuilder();
        volatile boolean aborted;
        boolean started;
        boolean done;
        int generated;
        int emitted;

        Sequence(GenerationRequest req, GenerationListener listener) {
            this.req = req;
            this.listener = listener;
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
                        started = true;
                        running.incrementAndGet();
                    }
                    end(FinishReason.ABORT);
                }
            });
        }

        void begin() {
            if (started) {
                return;
            }
            started = true;
            waiting.decrementAndGet();
            running.incrementAndGet();
            engine.schedule(this::step, tokenDelayMillis, TimeUnit.MILLISECONDS);
        }

        void step() {
            if (done || aborted) {
                return;
            }
            SamplingParams p = req.sampling();
            int start = p.temperature() == 0 || p.seed() == null ? 0 : (int) Math.floorMod(p.seed(), 26L);
            if (generated >= eosAfter && generated >= p.minTokens() && !p.ignoreEos()) {
                generated++;
                flush(EOS, "");
                end(FinishReason.STOP);
                return;
            }
            int token = 'a' + (start + generated) % 26;
            generated++;
            text.append((char) token);
            int stopAt = stopIndex();
            if (stopAt >= 0) {
                text.setLength(stopAt);
                flush(token, text.substring(emitted));
                end(FinishReason.STOP);
                return;
            }
            int safe = text.length() - heldBack();
            flush(token, text.substring(emitted, safe));
            emitted = safe;
            if (generated >= p.maxTokens()) {
                if (emitted < text.length()) {
                    listener.onTokens(new TokenChunk(new int[0], text.substring(emitted), null));
                }
                end(FinishReason.LENGTH);
                return;
            }
            engine.schedule(this::step, tokenDelayMillis, TimeUnit.MILLISECONDS);
        }

        private void flush(int token, String newText) {
            TokenLogprob[] lps = null;
            int n = req.sampling().logprobs();
            if (n >= 0) {
                String[] top = new String[n];
                float[] topLp = new float[n];
                for (int i = 0; i < n; i++) {
                    top[i] = String.valueOf((char) ('A' + i));
                    topLp[i] = -1f - i;
                }
                String tok = piece(token);
                lps = new TokenLogprob[] {new TokenLogprob(tok, -0.5f, tok.getBytes(StandardCharsets.UTF_8), top, topLp)};
            }
            emitted += newText.length();
            listener.onTokens(new TokenChunk(new int[] {token}, newText, lps));
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

        private void end(FinishReason reason) {
            done = true;
            running.decrementAndGet();
            listener.onFinish(new GenerationResult(reason, req.promptIds().length, generated, null, 1000, 2000,
                    3000));
        }
    }
}
