package dev.gannet.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gannet.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Path;

/** One {@code reference/*.json}: prompt, greedy path, and the top-5 logits at each teacher-forced step. */
record ReferenceOutputs(String name, String model, int[] promptIds, int[] greedyIds, int[] positions, int[][] topIds, float[][] topLogits) {

    static ReferenceOutputs read(String name) throws IOException {
        Path f = TestModels.path("reference/" + name + ".json");
        JsonNode j = new ObjectMapper().readTree(f.toFile());
        JsonNode steps = j.get("steps");
        int n = steps.size();
        int[] positions = new int[n];
        int[][] ids = new int[n][];
        float[][] logits = new float[n][];
        for (int i = 0; i < n; i++) {
            JsonNode s = steps.get(i);
            positions[i] = s.get("position").asInt();
            ids[i] = ints(s.get("top_ids"));
            logits[i] = new float[s.get("top_logits").size()];
            for (int k = 0; k < logits[i].length; k++) logits[i][k] = (float) s.get("top_logits").get(k).asDouble();
        }
        return new ReferenceOutputs(name, j.get("model").asText(), ints(j.get("prompt_ids")), ints(j.get("greedy_ids")), positions, ids, logits);
    }

    boolean quantized() {
        return name.contains("q8_0") || name.contains("q4_");
    }

    float tolerance() {
        return quantized() ? 0.25f : 0.01f;
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
