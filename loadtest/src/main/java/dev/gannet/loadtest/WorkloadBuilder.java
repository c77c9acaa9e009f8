package dev.gannet.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Turns the workload options and a seed into the exact list of requests of one sweep point.
 * The same seed gives the same requests, which is what makes A/B comparisons fair.
 */
public final class WorkloadBuilder {

    /**
     * @param promptTokens       new user tokens per request (per turn in multi-turn)
     * @param sharedPrefixTokens length of one system prompt common to all requests (0: none)
     * @param turns              turns per conversation (1: independent requests)
     * @param dataset            prompts from a file, or null for synthetic prompts
     */
    public record Spec(Endpoint endpoint, int requests, LengthSpec promptTokens, LengthSpec maxTokens,
                       int sharedPrefixTokens, int turns, List<Dataset.Entry> dataset) {
        public Spec {
            if (endpoint == null || promptTokens == null || maxTokens == null) {
                throw new IllegalArgumentException("workload endpoint and lengths are required");
            }
            if (requests < 1) {
                throw new IllegalArgumentException("--requests must be >= 1, got " + requests);
            }
            if (sharedPrefixTokens < 0) {
                throw new IllegalArgumentException("--shared-prefix-tokens must be >= 0, got " + sharedPrefixTokens);
            }
            if (turns < 1) {
                throw new IllegalArgumentException("--turns must be >= 1, got " + turns);
            }
            dataset = dataset == null ? null : List.copyOf(dataset);
        }
    }

    private static final String SEPARATOR = "\n\n";

    private final Spec spec;
    private final TextSynth synth;

    public WorkloadBuilder(Spec spec, TextSynth synth) {
        this.spec = spec;
        this.synth = synth;
    }

    public List<PlannedRequest> build(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Dataset.Entry> order = null;
        if (spec.dataset() != null) {
            order = new ArrayList<>(spec.dataset());
            Collections.shuffle(order, new Random(seed));
        }
        String prefix = spec.sharedPrefixTokens() > 0 ? synth.fit("", spec.sharedPrefixTokens(), rnd).text() : null;
        List<PlannedRequest> out = new ArrayList<>(spec.requests());
        int cursor = 0;
        for (int c = 0; out.size() < spec.requests(); c++) {
            List<ChatMessage> history = new ArrayList<>();
            int historyTokens = 0;
            for (int t = 0; t < spec.turns() && out.size() < spec.requests(); t++) {
                Dataset.Entry e = order == null ? null : order.get(cursor++ % order.size());
                int maxTokens = e != null && e.maxTokens() != null ? e.maxTokens() : spec.maxTokens().sample(rnd);
                if (e != null && e.messages() != null && spec.turns() == 1) {
                    out.add(datasetConversation(c, prefix, e.messages(), maxTokens));
                    continue;
                }
                String user;
                int userTokens;
                if (e != null) {
                    user = e.userText();
                    userTokens = synth.counter().count(user);
                } else if (prefix != null && t == 0 && spec.endpoint() == Endpoint.COMPLETIONS) {
                    // Fit against the whole prompt so the prefix boundary cannot shift the count.
                    int target = spec.sharedPrefixTokens() + spec.promptTokens().sample(rnd);
                    TextSynth.Fit fit = synth.fit(prefix + SEPARATOR, target, rnd);
                    user = fit.text().substring(prefix.length() + SEPARATOR.length());
                    userTokens = fit.tokens() - spec.sharedPrefixTokens();
                } else {
                    TextSynth.Fit fit = synth.fit("", spec.promptTokens().sample(rnd), rnd);
                    user = fit.text();
                    userTokens = fit.tokens();
                }
                history.add(ChatMessage.user(user));
                int planned = (prefix == null ? 0 : spec.sharedPrefixTokens()) + historyTokens + userTokens;
                out.add(render(c, t, withPrefix(prefix, history), planned, maxTokens));
                // A fixed synthetic reply keeps later turns identical across servers (see docs/loadtest.md).
                history.add(ChatMessage.assistant(synth.words(maxTokens, rnd)));
                historyTokens += userTokens + maxTokens;
            }
        }
        return out;
    }

    private PlannedRequest datasetConversation(int c, String prefix, List<ChatMessage> messages, int maxTokens) {
        List<ChatMessage> all = withPrefix(prefix, messages);
        return render(c, 0, all, synth.counter().count(renderPrompt(all)), maxTokens);
    }

    private PlannedRequest render(int c, int t, List<ChatMessage> messages, int planned, int maxTokens) {
        return spec.endpoint() == Endpoint.CHAT
                ? new PlannedRequest(c, t, null, messages, planned, maxTokens)
                : new PlannedRequest(c, t, renderPrompt(messages), null, planned, maxTokens);
    }

    private static List<ChatMessage> withPrefix(String prefix, List<ChatMessage> messages) {
        List<ChatMessage> all = new ArrayList<>(messages.size() + 1);
        if (prefix != null) {
            all.add(ChatMessage.system(prefix));
        }
        all.addAll(messages);
        return all;
    }

    /**
     * Flattens messages into one completions prompt: plain paragraphs for a single user turn, and
     * "User:"/"Assistant:" labels once there is a conversation to show.
     */
    static String renderPrompt(List<ChatMessage> messages) {
        boolean conversation = false;
        for (ChatMessage m : messages) {
            conversation |= m.role().equals("assistant");
        }
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (!sb.isEmpty()) {
                sb.append(SEPARATOR);
            }
            if (conversation && m.role().equals("user")) {
                sb.append("User: ");
            } else if (conversation && m.role().equals("assistant")) {
                sb.append("Assistant: ");
            }
            sb.append(m.content());
        }
        return conversation ? sb.append(SEPARATOR).append("Assistant:").toString() : sb.toString();
    }
}
