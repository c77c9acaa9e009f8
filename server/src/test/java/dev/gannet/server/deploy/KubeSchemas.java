package dev.gannet.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes schemas the manifests are checked against: fabric8's JSON schemas, generated from the
 * Kubernetes Go types and shipped in its model jars on Maven Central (core, apps, autoscaling, policy),
 * so the check runs offline. Made strict on load, as {@code kubectl --validate=strict} (the default
 * since Kubernetes 1.27) is: every object is closed (an unknown or misspelt field fails), apiVersion and
 * kind must be the type's own, and draft-3 {@code "required": true} flags become draft-7 lists. fabric8's
 * Java-binding keywords are dropped; int-or-string and quantities take a string or a number, as the
 * API server does.
 */
final class KubeSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode definitions = JSON.createObjectNode();
    private final Map<String, String> byTypeMeta = new HashMap<>();  // "apps/v1 Deployment" -> definition
    private final Map<String, JsonSchema> compiled = new HashMap<>();
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    KubeSchemas() throws IOException {
        Enumeration<URL> urls = KubeSchemas.class.getClassLoader().getResources("schema/validation-schema.json");
        int files = 0;
        while (urls.hasMoreElements()) {
            try (InputStream in = urls.nextElement().openStream()) {
                JsonNode doc = JSON.readTree(in);
                doc.get("definitions").properties().forEach(e -> definitions.set(e.getKey(), e.getValue()));
                files++;
            }
        }
        if (files < 4) throw new IllegalStateException("expected the fabric8 schemas of 4 model jars, found " + files);
        definitions.properties().forEach(e -> strict(e.getValue()));
        // each jar names these its own way (kubernetes_resource_Quantity, k8s_io_apimachinery_pkg_api_resource_Quantity)
        for (String name : iterable(definitions.fieldNames())) {
            if (name.endsWith("_IntOrString")) definitions.set(name, anyOf("integer", "string"));
            if (name.endsWith("_Quantity")) definitions.set(name, anyOf("string", "number"));
        }
        for (Map.Entry<String, JsonNode> e : definitions.properties()) {
            JsonNode props = e.getValue().path("properties");
            JsonNode api = props.path("apiVersion").path("enum").path(0);
            JsonNode kind = props.path("kind").path("enum").path(0);
            if (api.isTextual() && kind.isTextual()) byTypeMeta.put(api.asText() + " " + kind.asText(), e.getKey());
        }
    }

    /** True when a schema for this apiVersion and kind is known. */
    boolean knows(String apiVersion, String kind) {
        return byTypeMeta.containsKey(apiVersion + " " + kind);
    }

    /** Validation messages for one manifest (empty when it is valid). */
    Set<ValidationMessage> validate(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
        String def = byTypeMeta.get(key);
        if (def == null) throw new IllegalArgumentException("no Kubernetes schema for " + key);
        JsonSchema schema = compiled.computeIfAbsent(def, d -> {
            ObjectNode root = JSON.createObjectNode();
            root.put("$schema", "http://json-schema.org/draft-07/schema#");
            root.put("$ref", "#/definitions/" + d);
            root.set("definitions", definitions);
            return factory.getSchema(root);
        });
        return schema.validate(manifest);
    }

    /** A schema of our own (a CRD the fabric8 jars do not carry), from the test resources. */
    Set<ValidationMessage> validate(JsonNode manifest, String resource) throws IOException {
        try (InputStream in = KubeSchemas.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing schema " + resource);
            return factory.getSchema(JSON.readTree(in)).validate(manifest);
        }
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static ObjectNode anyOf(String... types) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode t = n.putArray("type");
        for (String s : types) t.add(s);
        return n;
    }

    /** Rewrites one schema node in place: closed objects, draft-7 required lists, no Java keywords. */
    private static void strict(JsonNode node) {
        if (node instanceof ArrayNode arr) {
            arr.forEach(KubeSchemas::strict);
            return;
        }
        if (!(node instanceof ObjectNode obj)) return;
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.startsWith("java") || f.equals("existingJavaType")) it.remove();
        }
        if (obj.get("properties") instanceof ObjectNode props) {
            List<String> required = new ArrayList<>();
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                if (p.getValue() instanceof ObjectNode ps && ps.path("required").isBoolean()) {
                    if (ps.get("required").asBoolean()) required.add(p.getKey());
                    ps.remove("required");
                    boolean typeMeta = p.getKey().equals("apiVersion") || p.getKey().equals("kind");
                    if (typeMeta && ps.path("default").isTextual()) ps.putArray("enum").add(ps.get("default").asText());
                }
                strict(p.getValue());
            }
            if (!required.isEmpty()) {
                ArrayNode r = obj.putArray("required");
                required.forEach(r::add);
            }
            if (obj.path("additionalProperties").isBoolean()) obj.put("additionalProperties", false);
        }
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            if (!e.getKey().equals("properties")) strict(e.getValue());
        }
    }
}
