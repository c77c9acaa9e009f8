package dev.gannet.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The YAML documents under deploy/, each with the file it came from. */
final class Manifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record Doc(Path file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return file.getFileName() + ": " + kind() + " " + name();
        }
    }

    private Manifests() {}

    /** deploy/ at the repository root (tests run in server/). */
    static Path root() {
        Path p = Path.of("..", "deploy");
        if (!Files.isDirectory(p)) throw new AssertionError("deploy/ not found at " + p.toAbsolutePath());
        return p;
    }

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root())) {
            return s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static List<Doc> read(Path file) throws IOException {
        List<Doc> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) out.add(new Doc(file, n));
            }
        }
        return out;
    }

    static List<Doc> all() throws IOException {
        List<Doc> out = new ArrayList<>();
        for (Path f : yamlFiles()) out.addAll(read(f));
        return out;
    }

    /** The one document of this kind and name in a directory of deploy/ (e.g. "base"). */
    static Doc find(String dir, String kind, String name) throws IOException {
        for (Doc d : all()) {
            if (d.file().startsWith(root().resolve(dir)) && d.kind().equals(kind) && d.name().equals(name)) return d;
        }
        throw new AssertionError("no " + kind + " " + name + " under deploy/" + dir);
    }
}
