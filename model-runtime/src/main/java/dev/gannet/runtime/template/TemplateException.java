package dev.gannet.runtime.template;

/**
 * A template that cannot be parsed or fails while rendering. {@link #kind()} is the name Python's jinja2
 * gives the same failure ({@code TypeError}, {@code UndefinedError}, {@code TemplateError} from
 * {@code raise_exception}, {@code TemplateSyntaxError}, ...), or {@code TemplateLimitError} when a render
 * ran past its {@link RenderLimits}; {@link #detail()} is the message, worded as jinja2 words it where we
 * know the wording. The message reads {@code kind: detail}, as Hugging Face's error would.
 */
public final class TemplateException extends RuntimeException {
    private final String kind;
    private final String detail;
    private final int line;

    public TemplateException(String kind, String detail) {
        this(kind, detail, 0);
    }

    public TemplateException(String kind, String detail, int line) {
        super(kind + ": " + detail + (line > 0 ? " (template line " + line + ")" : ""), null, false, false);
        this.kind = kind;
        this.detail = detail;
        this.line = line;
    }

    /** The Python exception class jinja2 would raise, e.g. {@code TypeError}. */
    public String kind() {
        return kind;
    }

    /** The message without the kind. */
    public String detail() {
        return detail;
    }

    /** The template line the failure was found on (1-based), 0 when unknown. */
    public int line() {
        return line;
    }

    /** The same failure, located at {@code line} unless it already has a line. */
    TemplateException at(int line) {
        return this.line > 0 || line <= 0 ? this : new TemplateException(kind, detail, line);
    }

    static TemplateException typeError(String detail) {
        return new TemplateException("TypeError", detail);
    }

    static TemplateException syntax(String detail, int line) {
        return new TemplateException("TemplateSyntaxError", detail, line);
    }

    static TemplateException limit(String detail) {
        return new TemplateException("TemplateLimitError", detail);
    }
}
