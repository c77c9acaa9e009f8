package dev.gannet.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the configuration in layers: built-in defaults, then the YAML file, then environment
 * variables ({@code GANNET_*}), then command-line flags; later layers win. Unknown keys and bad values
 * stop start-up with one line naming the key, the value and what is allowed.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    /**
     * @param file  YAML file, or null for defaults only
     * @param env   the process environment (passed in, so tests and callers decide)
     * @param flags values given as command-line flags, already keyed
     */
    public static ServerConfig load(Path file, Map<String, String> env, Map<ConfigKey, String> flags) throws ConfigException {
        Map<ConfigKey, ServerConfig.Setting> raw = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            raw.put(k, new ServerConfig.Setting(k.defaultValue(), "default"));
        }
        if (file != null) {
            readYaml(file, raw);
        }
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.envName());
            if (v != null) raw.put(k, new ServerConfig.Setting(v, "env " + k.envName()));
        }
        flags.forEach((k, v) -> {
            if (v != null) raw.put(k, new ServerConfig.Setting(v, "flag " + k.flagName()));
        });
        return ServerConfig.parse(raw);
    }

    private static void readYaml(Path file, Map<ConfigKey, ServerConfig.Setting> raw) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) return; // an empty file sets nothing
        if (!root.isObject()) throw new ConfigException(file + ": expected a mapping of key: value at the top level");
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            ConfigKey key = ConfigKey.byYamlName(e.getKey());
            if (key == null) {
                throw new ConfigException(file + ": unknown key '" + e.getKey() + "' (value: " + scalar(e.getValue())
                        + "); allowed keys: " + ConfigKey.allYamlNames());
            }
            raw.put(key, new ServerConfig.Setting(value(key, e.getValue(), file), file.toString()));
        }
    }

    private static String value(ConfigKey key, JsonNode node, Path file) throws ConfigException {
        if (node.isNull()) return null;
        if (node.isValueNode()) return node.asText();
        if (node.isArray() && key.kind() == ConfigKey.Kind.LIST) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isValueNode() || item.asText().contains(",")) throw ConfigValues.bad(key, node.toString(), file.toString());
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        throw ConfigValues.bad(key, node.toString(), file.toString());
    }

    private static String scalar(JsonNode n) {
        return n.isValueNode() ? n.asText() : n.toString();
    }
}
