package dev.gannet.server.config;

/** A configuration problem, worded as the one line start-up prints before it stops. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
