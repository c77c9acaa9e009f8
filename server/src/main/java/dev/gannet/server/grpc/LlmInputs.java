package dev.gannet.server.grpc;

import dev.gannet.server.api.SamplingParams;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The LLM tensors as Triton's LLM backends name them: {@code text_input} (BYTES, required),
 * {@code max_tokens} (INT32/INT64, default 16), {@code temperature}, {@code top_p} (FP32),
 * {@code top_k} (INT32), {@code seed} (INT32/INT64), {@code stream} (BOOL), {@code stop} (BYTES).
 * One prompt per request (batch size 1).
 */
record LlmInputs(String prompt, int maxTokens, double temperature, double topP, int topK, Long seed,
                 boolean stream, List<String> stop) {

    static final Set<String> NAMES = Set.of("text_input", "max_tokens", "temperature", "top_p", "top_k", "seed",
            "stream", "stop");

    static LlmInputs parse(List<TensorCodec.Tensor> tensors) {
        Map<String, TensorCodec.Tensor> byName = new java.util.HashMap<>();
        for (TensorCodec.Tensor t : tensors) {
            if (!NAMES.contains(t.name())) {
                throw new InvalidInputException("unknown input '" + t.name() + "'; inputs are " + NAMES);
            }
            byName.put(t.name(), t);
        }
        TensorCodec.Tensor text = byName.get("text_input");
        if (text == null) {
            throw new InvalidInputException("input 'text_input' (BYTES) is required");
        }
        if (text.bytes() == null || text.bytes().size() != 1) {
            throw new InvalidInputException("input 'text_input' must be one BYTES element (batch size 1)");
        }
        String prompt = new String(text.bytes().getFirst(), StandardCharsets.UTF_8);
        int maxTokens = (int) integer(byName.get("max_tokens"), 16, 1, Integer.MAX_VALUE);
        double temperature = number(byName.get("temperature"), 1.0, 0, 2);
        double topP = number(byName.get("top_p"), 1.0, Double.MIN_VALUE, 1);
        int topK = (int) integer(byName.get("top_k"), -1, -1, Integer.MAX_VALUE);
        TensorCodec.Tensor seedT = byName.get("seed");
        Long seed = seedT == null ? null : integer(seedT, 0, Long.MIN_VALUE, Long.MAX_VALUE);
        boolean stream = integer(byName.get("stream"), 0, 0, 1) == 1;
        List<String> stop = new ArrayList<>();
        TensorCodec.Tensor stopT = byName.get("stop");
        if (stopT != null) {
            if (stopT.bytes() == null) {
                throw new InvalidInputException("input 'stop' must be BYTES");
            }
            for (byte[] s : stopT.bytes()) {
                if (s.length > 0) {
                    stop.add(new String(s, StandardCharsets.UTF_8));
                }
            }
        }
        return new LlmInputs(prompt, maxTokens, temperature, topP, topK == 0 ? -1 : topK, seed, stream, stop);
    }

    SamplingParams sampling(int clampedMaxTokens) {
        return new SamplingParams(temperature, topP, topK, 0, seed, 0, 0, 1, Map.of(), -1, clampedMaxTokens, 0,
                false, stop, new int[0]);
    }

    private static long integer(TensorCodec.Tensor t, long dflt, long min, long max) {
        if (t == null) {
            return dflt;
        }
        if (t.ints() == null || t.size() != 1) {
            throw new InvalidInputException("input '" + t.name() + "' must be one integer element, got "
                    + t.datatype() + " x " + t.size());
        }
        long v = t.ints()[0];
        if (v < min || v > max) {
            throw new InvalidInputException("input '" + t.name() + "' must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    private static double number(TensorCodec.Tensor t, double dflt, double min, double max) {
        if (t == null) {
            return dflt;
        }
        if (t.floats() == null || t.size() != 1) {
            throw new InvalidInputException("input '" + t.name() + "' must be one numeric element, got "
                    + t.datatype() + " x " + t.size());
        }
        double v = t.floats()[0];
        if (!(v >= min && v <= max)) {
            throw new InvalidInputException("input '" + t.name() + "' must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }
}
