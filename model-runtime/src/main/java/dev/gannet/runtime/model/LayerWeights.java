package dev.gannet.runtime.model;

import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.WeightMatrix;

/**
 * The weights of one decoder layer. Matrices are views of the mapped checkpoint (or packed copies,
 * see {@link WeightLayout}); norm weights and
 * biases are small f32 copies. Biases are null when the architecture has none.
 *
 * @param attnNorm (dim) f32
 * @param wq       (numHeads * headDim, dim)
 * @param wk       (numKvHeads * headDim, dim)
 * @param wv       (numKvHeads * headDim, dim)
 * @param wo       (dim, numHeads * headDim)
 * @param bq       (numHeads * headDim) f32 or null
 * @param bk       (numKvHeads * headDim) f32 or null
 * @param bv       (numKvHeads * headDim) f32 or null
 * @param ffnNorm  (dim) f32
 * @param gate     (ffnDim, dim)
 * @param up       (ffnDim, dim)
 * @param down     (dim, ffnDim)
 */
public record LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                           float[] bq, float[] bk, float[] bv,
                           float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
    public LayerWeights {
        if ((bq == null) != (bk == null) || (bk == null) != (bv == null)) {
            throw new IllegalArgumentException("Q, K and V biases must be all present or all absent");
        }
    }

    /** The same layer with its Q8_0/Q4_0 matrices in the packed layout, copied into {@code arena}. */
    LayerWeights packed(java.lang.foreign.Arena arena) {
        return withMatrices(w -> Packing.pack(w, arena));
    }

    /** The same layer with each of its seven matrices replaced by {@code f} of it. */
    LayerWeights withMatrices(java.util.function.UnaryOperator<WeightMatrix> f) {
        return new LayerWeights(attnNorm, f.apply(wq), f.apply(wk), f.apply(wv), f.apply(wo),
                bq, bk, bv, ffnNorm, f.apply(gate), f.apply(up), f.apply(down));
    }

    /** The seven matrices, in a fixed order. */
    java.util.List<WeightMatrix> matrices() {
        return java.util.List.of(wq, wk, wv, wo, gate, up, down);
    }

    static LayerWeights load(TensorSource src, ModelConfig c, int l) throws java.io.IOException {
        WeightNames n = c.format();
        boolean bias = c.qkvBias();
        return new LayerWeights(
                src.vector(n.attnNorm(l), c.dim()),
                src.matrix(n.wq(l), c.qDim(), c.dim()),
                src.matrix(n.wk(l), c.kvDim(), c.dim()),
                src.matrix(n.wv(l), c.kvDim(), c.dim()),
                src.matrix(n.wo(l), c.dim(), c.qDim()),
                bias ? src.vector(n.bq(l), c.qDim()) : null,
                bias ? src.vector(n.bk(l), c.kvDim()) : null,
                bias ? src.vector(n.bv(l), c.kvDim()) : null,
                src.vector(n.ffnNorm(l), c.dim()),
                src.matrix(n.gate(l), c.ffnDim(), c.dim()),
                src.matrix(n.up(l), c.ffnDim(), c.dim()),
                src.matrix(n.down(l), c.dim(), c.ffnDim()));
    }
}
