package dev.gannet.loadtest;

/** Which OpenAI-compatible streaming endpoint a run drives. */
public enum Endpoint {
    /** {@code POST /v1/completions} with a {@code prompt} string. */
    COMPLETIONS("/v1/completions"),
    /** {@code POST /v1/chat/completions} with {@code messages}. */
    CHAT("/v1/chat/completions");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
