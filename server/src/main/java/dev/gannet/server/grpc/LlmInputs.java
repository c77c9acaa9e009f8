package dev.gannet.server.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.gannet.runtime.sampler.SamplingParams;
import dev.gannet.server.common.StructuredOutput;
import dev.gannet.server.grpc.proto.InferParameter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The LLM inputs of a KServe v2 request, as Triton's LLM backends name them: the tensor {@code text_input} (BYTES,
 * required), and the sampling fields either as one-element tensors or as request {@code parameters} of the same name:
 * {@code max_tokens} (default 16), {@code min_tokens}, {@code temperature}, {@code top_p}, {@code top_k},
 * {@code min_p}, {@code presence_penalty}, {@code frequency_penalty}, {@code repetition_penalty}, {@code seed},
 * {@code ignore_eos}, {@code stream}, {@code stop} (BYTES, several allowed), {@code priority}. One prompt per request
 * (batch size 1). The values go straight into the runtime's one {@link SamplingParams}, whose constructor checks
 * their ranges (a violation is INVALID_ARGUMENT naming the field, as the HTTP API answers 400).
 *
 * <p>Structured output takes the HTTP API's fields ({@link StructuredOutput}), as BYTES values (a string parameter or
 * a one-element BYTES tensor): {@code guided_regex}, {@code guided_grammar} as text; {@code guided_json} a schema's
 * JSON text; {@code guided_choice} a JSON array of strings, or BYTES elements that are the choices themselves;
 * {@code response_format} and {@code structured_outputs} the JSON text of the HTTP API's object.
 *
 * @param sampling   sampling record; {@code maxTokens} is the requested limit, settled against the context later
 * @param structured the structured-output constraint asked for, or null
 */
record LlmInputs(String prompt, SamplingParams sampling, boolean stream, int priority, StructuredOutput structured) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Set<String> NAMES = Set.of("text_input", "max_tokens", "min_tokens", "temperature", "top_p", "top_k",
            "min_p", "presence_penalty", "frequency_penalty", "repetition_penalty", "seed", "ignore_eos", "stream", "stop",
            "priority", "response_format", "structured_outputs", "guided_json", "guided_regex", "guided_choice",
            "guided_grammar", "guided_decoding_backend", "guided_whitespace_pattern");
    /** Structured-output fields whose text is JSON (an object, or for a choice an array). */
    private static final Set<String> JSON_TEXT = Set.of("response_format", "structured_outputs", "guided_choice");

    static LlmInputs parse(List<TensorCodec.Tensor> tensors, Map<String, InferParameter> parameters) {
        Map<String, Value> byName = new HashMap<>();
        for (TensorCodec.Tensor t : tensors) {
            if (!NAMES.contains(t.name())) {
                throw new InvalidInputException("unknown input '" + t.name() + "'; inputs are " + NAMES);
            }
            byName.put(t.name(), Value.of(t));
        }
        for (Map.Entry<String, InferParameter> p : parameters.entrySet()) {
            if (!NAMES.contains(p.getKey()) || p.getKey().equals("text_input")) {
                continue; // other request parameters (Triton's own, e.g. "triton_enable_empty_final_response")
            }
            if (byName.putIfAbsent(p.getKey(), Value.of(p.getKey(), p.getValue())) != null) {
                throw new InvalidInputException("'" + p.getKey() + "' is given both as an input and as a parameter");
            }
        }
        Value text = byName.get("text_input");
        if (text == null) {
            throw new InvalidInputException("input 'text_input' (BYTES) is required");
        }
        if (text.bytes() == null || text.bytes().size() != 1) {
            throw new InvalidInputException("input 'text_input' must be one BYTES element (batch size 1)");
        }
        String prompt = new String(text.bytes().getFirst(), StandardCharsets.UTF_8);
        SamplingParams.Builder b = SamplingParams.builder()
                .maxTokens((int) integer(byName, "max_tokens", 16, Integer.MIN_VALUE, Integer.MAX_VALUE))
                .minTokens((int) integer(byName, "min_tokens", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
                .temperature((float) number(byName, "temperature", 1))
                .topP((float) number(byName, "top_p", 1))
                .topK((int) integer(byName, "top_k", -1, Integer.MIN_VALUE, Integer.MAX_VALUE))
                .minP((float) number(byName, "min_p", 0))
                .presencePenalty((float) number(byName, "presence_penalty", 0))
                .frequencyPenalty((float) number(byName, "frequency_penalty", 0))
                .repetitionPenalty((float) number(byName, "repetition_penalty", 1))
                .ignoreEos(integer(byName, "ignore_eos", 0, 0, 1) == 1)
                .stop(stops(byName.get("stop")));
        if (byName.containsKey("seed")) b.seed(integer(byName, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE));
        boolean stream = integer(byName, "stream", 0, 0, 1) == 1;
        int priority = (int) integer(byName, "priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        StructuredOutput structured = StructuredOutput.read(name -> structuredField(byName.get(name)));
        return new LlmInputs(prompt, b.build(), stream, priority, structured);
    }

    /** A structured-output field as the JSON the HTTP API would have carried, or null. */
    private static JsonNode structuredField(Value v) {
        if (v == null) {
            return null;
        }
        if (v.bytes() == null) {
            throw new InvalidInputException("'" + v.name() + "' must be BYTES (a string parameter), got " + v.datatype());
        }
        boolean jsonArray = v.bytes().size() == 1 && new String(v.bytes().getFirst(), StandardCharsets.UTF_8).strip().startsWith("[");
        if (v.name().equals("guided_choice") && !jsonArray) {
            ArrayNode choices = JsonNodeFactory.instance.arrayNode();
            for (byte[] c : v.bytes()) choices.add(new String(c, StandardCharsets.UTF_8));
            return choices;
        }
        if (v.bytes().size() != 1) {
            throw new InvalidInputException("input '" + v.name() + "' must be one BYTES element, got " + v.bytes().size());
        }
        String text = new String(v.bytes().getFirst(), StandardCharsets.UTF_8);
        if (!JSON_TEXT.contains(v.name())) {
            return TextNode.valueOf(text);
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("'" + v.name() + "' must be JSON text: " + e.getOriginalMessage());
        }
    }

    /** One input's value, from a tensor or a request parameter. */
    private record Value(String name, String datatype, List<byte[]> bytes, long[] ints, double[] floats) {
        static Value of(TensorCodec.Tensor t) {
            return new Value(t.name(), t.datatype(), t.bytes(), t.ints(), t.floats());
        }

        static Value of(String name, InferParameter p) {
            return switch (p.getParameterChoiceCase()) {
                case BOOL_PARAM -> new Value(name, "BOOL", null, new long[] {p.getBoolParam() ? 1 : 0}, new double[] {p.getBoolParam() ? 1 : 0});
                case INT64_PARAM -> new Value(name, "INT64", null, new long[] {p.getInt64Param()}, new double[] {p.getInt64Param()});
                case UINT64_PARAM -> new Value(name, "UINT64", null, new long[] {p.getUint64Param()}, new double[] {p.getUint64Param()});
                case DOUBLE_PARAM -> new Value(name, "FP64", null, null, new double[] {p.getDoubleParam()});
                case STRING_PARAM -> new Value(name, "BYTES", List.of(p.getStringParam().getBytes(StandardCharsets.UTF_8)), null, null);
                case PARAMETERCHOICE_NOT_SET -> throw new InvalidInputException("parameter '" + name + "' has no value");
            };
        }

        int size() {
            return bytes != null ? bytes.size() : floats.length;
        }
    }

    private static List<String> stops(Value v) {
        List<String> stop = new ArrayList<>();
        if (v == null) {
            return stop;
        }
        if (v.bytes() == null) {
            throw new InvalidInputException("input 'stop' must be BYTES");
        }
        for (byte[] s : v.bytes()) {
            if (s.length > 0) {
                stop.add(new String(s, StandardCharsets.UTF_8));
            }
        }
        return stop;
    }

    /** An integer value (its type and count checked here; its range, beyond the type's, by SamplingParams). */
    private static long integer(Map<String, Value> byName, String name, long dflt, long min, long max) {
        Value t = byName.get(name);
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

    private static double number(Map<String, Value> byName, String name, double dflt) {
        Value t = byName.get(name);
        if (t == null) {
            return dflt;
        }
        if (t.floats() == null || t.size() != 1) {
            throw new InvalidInputException("input '" + t.name() + "' must be one numeric element, got "
                    + t.datatype() + " x " + t.size());
        }
        return t.floats()[0];
    }
}
