package dev.gannet.runtime.engine;

/** What {@link Engine#submit} returns: the engine-assigned id and a thread-safe abort. */
public final class RequestHandle {
    private final long id;
    private final Engine engine;

    RequestHandle(long id, Engine engine) {
        this.id = id;
        this.engine = engine;
    }

    public long id() {
        return id;
    }

    /** Same as {@link Engine#abort(long)}: takes effect at the next step; idempotent. */
    public void abort() {
        engine.abort(id);
    }

    @Override
    public String toString() {
        return "RequestHandle[" + id + "]";
    }
}
