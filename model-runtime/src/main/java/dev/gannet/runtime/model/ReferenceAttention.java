package dev.gannet.runtime.model;

/**
 * Plain-Java attention, one (token, head) at a time, accumulating in double: slow and obviously correct,
 * the oracle for {@link VectorAttention}. Allocates its score buffer per call (not for the hot path).
 */
public final class ReferenceAttention implements Attention {
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;

    public ReferenceAttention(ModelConfig config) {
        this(config.numHeads(), config.numKvHeads(), config.headDim());
    }

    public ReferenceAttention(int numHeads, int numKvHeads, int headDim) {
        if (numHeads % numKvHeads != 0) throw new IllegalArgumentException(numHeads + " heads, " + numKvHeads + " kv heads");
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
    }

    @Override
    public void attend(ForwardBatch batch, int[] tokenSeq, float[] q, KvStorage kv, int layer, float[] out) {
        int group = numHeads / numKvHeads;
        double scale = 1.0 / Math.sqrt(headDim);
        for (int t = 0; t < batch.numTokens(); t++) {
            int[] table = batch.blockTables()[tokenSeq[t]];
            int len = batch.positions()[t] + 1;
            double[] scores = new double[len];
            for (int h = 0; h < numHeads; h++) {
                int qOff = (t * numHeads + h) * headDim;
                int kvh = h / group;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    long kOff = floatIndex(table, batch.blockSize(), j, kvh);
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double) q[qOff + d] * kv.key(layer, kOff + d);
                    scores[j] = dot * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < len; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int j = 0; j < len; j++) {
                        acc += scores[j] * kv.value(layer, floatIndex(table, batch.blockSize(), j, kvh) + d);
                    }
                    out[qOff + d] = (float) (acc / sum);
                }
            }
        }
    }

    private long floatIndex(int[] table, int blockSize, int position, int kvHead) {
        long slot = (long) table[position / blockSize] * blockSize + position % blockSize;
        return (slot * numKvHeads + kvHead) * headDim;
    }

    @Override
    public void close() {}
}
