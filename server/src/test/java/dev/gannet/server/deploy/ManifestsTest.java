package dev.gannet.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.gannet.router.RouterCommand;
import dev.gannet.router.RouterConfig;
import dev.gannet.router.RouterServer;
import dev.gannet.server.cli.GannetMain;
import dev.gannet.server.config.ConfigKey;
import dev.gannet.server.config.ConfigLoader;
import dev.gannet.server.config.ServerConfig;
import dev.gannet.server.http.ServerHarness;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every manifest under deploy/ is valid against the Kubernetes schemas ({@link KubeSchemas}), and what the
 * manifests assume of Gannet is what Gannet does: the env vars are real configuration keys with valid values,
 * the ports are the ones the server binds, the probe paths answer (and readiness turns 503 on drain), the
 * grace period outlasts the drain, and the metric names the HPA, the adapter and the EPP read are on a live
 * server's /metrics.
 */
class ManifestsTest {
    @Test
    void everyManifestPassesTheKubernetesSchemas() throws Exception {
        KubeSchemas schemas = new KubeSchemas();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path file : Manifests.yamlFiles()) {
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                checkKustomization(file, problems);
                continue;
            }
            for (Manifests.Doc d : Manifests.read(file)) {
                String api = d.node().path("apiVersion").asText();
                Set<ValidationMessage> msgs;
                if (api.equals("inference.networking.k8s.io/v1") && d.kind().equals("InferencePool")) {
                    msgs = schemas.validate(d.node(), "/kube/inferencepool-v1.schema.json");
                } else if (schemas.knows(api, d.kind())) {
                    msgs = schemas.validate(d.node());
                } else {
                    problems.add(d + ": no schema for " + api + " " + d.kind());
                    continue;
                }
                msgs.forEach(m -> problems.add(d + ": " + m.getMessage()));
                checked++;
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(checked >= 14, "only " + checked + " manifests checked");
    }

    @Test
    void theStrictSchemaCatchesMistakes() throws Exception {
        KubeSchemas schemas = new KubeSchemas();
        JsonNode good = Manifests.find("base", "Deployment", "gannet").node();
        assertTrue(schemas.validate(good).isEmpty());
        for (String bad : new String[] {
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replica\":2}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":\"two\"}}",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":{\"containers\":"
                + "[{\"name\":\"x\",\"readinessProbe\":{\"httpGet\":{\"pathh\":\"/ready\"}}}]}}}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"Deployment\"}"}) {
            JsonNode n = Manifests.YAML.readTree(bad);
            assertTrue(!schemas.knows(n.path("apiVersion").asText(), "Deployment") || !schemas.validate(n).isEmpty(),
                    "accepted: " + bad);
        }
    }

    private static void checkKustomization(Path file, List<String> problems) throws Exception {
        JsonNode k = Manifests.YAML.readTree(file.toFile());
        for (String field : new String[] {"resources", "patches"}) {
            for (JsonNode r : k.path(field)) {
                String rel = r.isTextual() ? r.asText() : r.path("path").asText();
                if (!Files.exists(file.getParent().resolve(rel))) problems.add(file + ": " + field + " " + rel + " does not exist");
            }
        }
    }

    private static JsonNode container(Manifests.Doc deployment, String name) {
        for (JsonNode c : deployment.node().path("spec").path("template").path("spec").path("containers")) {
            if (c.path("name").asText().equals(name)) return c;
        }
        throw new AssertionError("no container " + name + " in " + deployment);
    }

    private static int namedPort(JsonNode container, String portName) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(portName)) return p.path("containerPort").asInt();
        }
        throw new AssertionError("no port named " + portName + " in container " + container.path("name"));
    }

    private static String probePath(JsonNode container, String probe) {
        JsonNode get = container.path(probe).path("httpGet");
        assertTrue(get.isObject(), probe + " is not an httpGet probe");
        namedPort(container, get.path("port").asText());  // the probe's port is one the container declares
        return get.path("path").asText();
    }

    private static long graceSeconds(Manifests.Doc deployment, JsonNode container) {
        long grace = deployment.node().path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30);
        return grace - container.path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0);
    }

    @Test
    void theReplicaDeploymentMatchesWhatGannetServeDoes() throws Exception {
        Manifests.Doc d = Manifests.find("base", "Deployment", "gannet");
        JsonNode c = container(d, "gannet");
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : c.path("env")) {
            String name = e.path("name").asText();
            boolean known = false;
            for (ConfigKey k : ConfigKey.values()) known |= k.envName().equals(name);
            assertTrue(known || !name.startsWith("GANNET_"), name + " is not a configuration key of gannet serve");
            env.put(name, e.path("value").asText());
        }
        ServerConfig cfg = ConfigLoader.load(null, env, Map.of());  // the values parse as the server parses them
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        assertEquals("serve", args.getFirst());
        GannetMain.commandLine().parseArgs(args.toArray(String[]::new));
        assertEquals(cfg.port(), namedPort(c, "http"), "containerPort vs the port gannet serve binds");
        assertEquals("0.0.0.0", cfg.host(), "a pod must listen on all interfaces");
        assertTrue(graceSeconds(d, c) > cfg.shutdownTimeout().toSeconds(),
                "terminationGracePeriodSeconds minus preStop must outlast shutdown_timeout " + cfg.shutdownTimeout());
        assertEquals(cfg.model(), Path.of("/models").resolve(cfg.model().getFileName()), "the model lives under /models");
        boolean mounted = false;
        for (JsonNode m : c.path("volumeMounts")) mounted |= m.path("mountPath").asText().equals("/models");
        assertTrue(mounted, "/models is not mounted");
        JsonNode annotations = d.node().path("spec").path("template").path("metadata").path("annotations");
        assertEquals(Integer.toString(cfg.port()), annotations.path("prometheus.io/port").asText());

        try (ServerHarness live = new ServerHarness()) {
            for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
                assertEquals(200, live.get(probePath(c, probe)).statusCode(), probe);
            }
            String metrics = live.get(annotations.path("prometheus.io/path").asText()).body();
            assertTrue(metrics.contains("gannet:num_requests_waiting{"), "the scrape path serves no Gannet metrics");
            live.server.drain().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(503, live.get(probePath(c, "readinessProbe")).statusCode(), "readiness must turn 503 on drain");
            assertEquals(200, live.get(probePath(c, "livenessProbe")).statusCode(), "a draining pod is alive");
        }
    }

    @Test
    void theRouterDeploymentMatchesWhatGannetRouterDoes() throws Exception {
        Manifests.Doc d = Manifests.find("base", "Deployment", "gannet-router");
        JsonNode c = container(d, "router");
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText().replace("$(POD_NAMESPACE)", "default")));
        assertEquals("router", args.getFirst());
        RouterConfig cfg = RouterCommand.parse(args.subList(1, args.size()), Map.of());
        assertEquals(cfg.port(), namedPort(c, "http"));
        assertTrue(graceSeconds(d, c) > cfg.shutdownTimeout().toSeconds());
        // the DNS name is the headless Service of the replicas, on the replicas' port
        String host = cfg.replicasDns().getHost();
        Manifests.Doc headless = Manifests.find("base", "Service", host.substring(0, host.indexOf('.')));
        assertEquals("None", headless.node().path("spec").path("clusterIP").asText());
        JsonNode replica = container(Manifests.find("base", "Deployment", "gannet"), "gannet");
        assertEquals(namedPort(replica, "http"), cfg.replicasDns().getPort());

        try (ServerHarness replicaServer = new ServerHarness()) {
            RouterServer router = new RouterServer(RouterCommand.parse(List.of("--replica", "http://127.0.0.1:"
                    + replicaServer.port, "--port", "0"), Map.of()), line -> { });
            int port = router.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            try (var http = java.net.http.HttpClient.newHttpClient()) {
                for (String probe : new String[] {"readinessProbe", "livenessProbe"}) {
                    var resp = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + probePath(c, probe))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, resp.statusCode(), probe + ": " + resp.body());
                }
                router.drain().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                var ready = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + probePath(c, "readinessProbe"))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(503, ready.statusCode());
            } finally {
                router.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void servicesAndBudgetsSelectPodsThatExistOnPortsTheyDeclare() throws Exception {
        List<Manifests.Doc> docs = Manifests.all();
        for (Manifests.Doc s : docs) {
            if (!s.kind().equals("Service") && !s.kind().equals("PodDisruptionBudget")) continue;
            JsonNode selector = s.kind().equals("Service") ? s.node().path("spec").path("selector")
                    : s.node().path("spec").path("selector").path("matchLabels");
            Manifests.Doc target = null;
            for (Manifests.Doc d : docs) {
                if (!d.kind().equals("Deployment") || !d.file().getParent().equals(s.file().getParent())) continue;
                JsonNode labels = d.node().path("spec").path("template").path("metadata").path("labels");
                boolean all = true;
                for (var e : selector.properties()) all &= e.getValue().asText().equals(labels.path(e.getKey()).asText());
                if (all) target = d;
            }
            if (target == null) fail(s + " selects no Deployment beside it");
            for (JsonNode p : s.node().path("spec").path("ports")) {
                String tp = p.path("targetPort").asText();
                boolean found = false;
                for (JsonNode c : target.node().path("spec").path("template").path("spec").path("containers")) {
                    for (JsonNode cp : c.path("ports")) found |= cp.path("name").asText().equals(tp);
                }
                assertTrue(found, s + ": targetPort " + tp + " is no container port of " + target);
            }
        }
    }

    @Test
    void theAutoscalerAndTheEndpointPickerReadMetricsTheServerExports() throws Exception {
        JsonNode hpa = Manifests.find("base", "HorizontalPodAutoscaler", "gannet").node();
        assertEquals("gannet", hpa.path("spec").path("scaleTargetRef").path("name").asText());
        String hpaMetric = hpa.path("spec").path("metrics").path(0).path("pods").path("metric").path("name").asText();
        JsonNode adapter = Manifests.YAML.readTree(Manifests.find("base", "ConfigMap", "gannet-prometheus-adapter")
                .node().path("data").path("config.yaml").asText());
        JsonNode rule = adapter.path("rules").path(0);
        assertEquals(hpaMetric, rule.path("name").path("as").asText(), "the HPA reads what the adapter serves");
        String series = rule.path("seriesQuery").asText().replaceAll("\\{.*", "");
        assertTrue(series.matches(rule.path("name").path("matches").asText()), "the rule renames its own series");

        JsonNode epp = container(Manifests.find("inference-pool", "Deployment", "gannet-epp"), "epp");
        List<String> eppMetrics = new ArrayList<>();
        JsonNode eppArgs = epp.path("args");
        for (int i = 0; i + 1 < eppArgs.size(); i++) {
            if (eppArgs.get(i).asText().endsWith("-metric")) eppMetrics.add(eppArgs.get(i + 1).asText());
        }
        assertEquals(3, eppMetrics.size(), eppMetrics.toString());
        JsonNode pool = Manifests.find("inference-pool", "InferencePool", "gannet").node().path("spec");
        JsonNode replica = container(Manifests.find("base", "Deployment", "gannet"), "gannet");
        assertEquals(namedPort(replica, "http"), pool.path("targetPorts").path(0).path("number").asInt());
        assertEquals("gannet", pool.path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());

        try (ServerHarness live = new ServerHarness()) {
            String metrics = live.get("/metrics").body();
            for (String name : concat(List.of(series), eppMetrics)) {
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " ")),
                        name + " is not on the server's /metrics");
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
