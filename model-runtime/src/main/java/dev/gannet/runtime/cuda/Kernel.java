package dev.gannet.runtime.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * One extern "C" kernel of gannet_kernels.fatbin: its name and the kinds of its parameters in order
 * (p = pointer, i = int, f = float), which {@link CudaKernels} checks every launch against.
 */
record Kernel(String name, String signature) {
    Kernel {
        if (!signature.matches("[pif]+")) throw new IllegalArgumentException(name + ": bad signature " + signature);
    }

    static final String RMSNORM = "ppppiif";
    static final String ROPE = "ppppppppppp" + "iiiiii";
    static final String SWIGLU = "pppiii";
    static final String EMBEDDING = "pppiii";
    static final String DECODE_PARTIAL = "pppppppppp" + "iiiiii" + "f";
    static final String DECODE_REDUCE = "pppp" + "iii";
    static final String PREFILL = "pppppp" + "pi" + "pp" + "iiiii" + "f";
    static final String ARGMAX = "ppii";
    static final String SAMPLE = "pppppp" + "ii";
    static final String GEMV = "pppiii";
    static final String DEQUANT = "ppii";
    static final String BIAS_ADD = "ppii";
    static final String VECTOR_ADD = "pppi";

    /** Every kernel the fatbin must export. */
    static List<Kernel> catalog() {
        List<Kernel> all = new ArrayList<>();
        for (DeviceDtype t : DeviceDtype.values()) {
            String s = "_" + t.suffix();
            all.add(new Kernel("rmsnorm_residual" + s, RMSNORM));
            all.add(new Kernel("swiglu" + s, SWIGLU));
            all.add(new Kernel("paged_decode_reduce" + s, DECODE_REDUCE));
            for (KvFormat f : KvFormat.values()) {
                all.add(new Kernel("rope_kv_write_" + f.infix() + t.suffix(), ROPE));
                all.add(new Kernel("paged_decode_partial_" + f.infix() + t.suffix(), DECODE_PARTIAL));
                all.add(new Kernel("prefill_attention_" + f.infix() + t.suffix(), PREFILL));
            }
            all.add(new Kernel("gemv_q8_0" + s, GEMV));
            all.add(new Kernel("gemv_q4_0" + s, GEMV));
            all.add(new Kernel("dequant_q8_0" + s, DEQUANT));
            all.add(new Kernel("dequant_q4_0" + s, DEQUANT));
            all.add(new Kernel("bias_add" + s, BIAS_ADD));
            all.add(new Kernel("vector_add" + s, VECTOR_ADD));
        }
        for (String x : List.of("f16", "bf16")) { // f32 logits from 16-bit activations
            all.add(new Kernel("gemv_q8_0_" + x + "_f32", GEMV));
            all.add(new Kernel("gemv_q4_0_" + x + "_f32", GEMV));
        }
        for (String e : List.of("f32_f32", "f16_f32", "bf16_f32", "f16_f16", "bf16_bf16", "f32_f16", "f32_bf16")) {
            all.add(new Kernel("embedding_" + e, EMBEDDING));
        }
        all.add(new Kernel("argmax_f32", ARGMAX));
        all.add(new Kernel("sample_top_k_top_p_f32", SAMPLE));
        return List.copyOf(all);
    }
}
