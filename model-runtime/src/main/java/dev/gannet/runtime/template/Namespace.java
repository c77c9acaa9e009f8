package dev.gannet.runtime.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** jinja2's {@code namespace()}: the one mutable object a template may create ({@code set ns.x = ...}). */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
