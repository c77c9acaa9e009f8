package dev.gannet.runtime.cuda;

import dev.gannet.runtime.model.BatchForward;
import dev.gannet.runtime.model.ForwardBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: drives a {@link BatchForward} through one sequence (the prompt in one step, then one token per step)
 * with blocks 1.. of its cache, greedily or along given tokens (teacher forcing), keeping every step's logits.
 */
final class Stepper {
    /** Tokens chosen after the prompt and the logits each was chosen from. */
    record Path(int[] tokens, List<float[]> logits) {}

    private Stepper() { }

    static int argmax(float[] logits, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[from + i] > logits[from + best]) best = i;
        return best;
    }

    /** Greedy for {@code steps} tokens; with {@code forced} non-null, feeds those tokens instead of its own choices. */
    static Path run(BatchForward f, int[] prompt, int steps, int blockSize, int[] forced) {
        int vocab = f.model().config().vocabSize();
        int total = prompt.length + steps;
        int[] table = new int[(total + blockSize - 1) / blockSize];
        for (int i = 0; i < table.length; i++) table[i] = 1 + i;
        int[] out = new int[steps];
        List<float[]> logits = new ArrayList<>();
        float[] l = f.forward(ForwardBatch.single(prompt, 0, table, blockSize));
        for (int s = 0; s < steps; s++) {
            float[] row = java.util.Arrays.copyOf(l, vocab);
            logits.add(row);
            out[s] = argmax(row, 0, vocab);
            int next = forced != null ? forced[s] : out[s];
            if (s + 1 < steps) l = f.forward(ForwardBatch.single(new int[] {next}, prompt.length + s, table, blockSize));
        }
        return new Path(out, logits);
    }

    /** Largest |a - b| over the rows' entries. */
    static float maxDiff(List<float[]> a, List<float[]> b) {
        float m = 0;
        for (int s = 0; s < a.size(); s++) {
            for (int i = 0; i < a.get(s).length; i++) m = Math.max(m, Math.abs(a.get(s)[i] - b.get(s)[i]));
        }
        return m;
    }
}
