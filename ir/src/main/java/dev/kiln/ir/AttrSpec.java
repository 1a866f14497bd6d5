package dev.kiln.ir;

/**
 * One attribute of an op's schema.
 *
 * @param name         the ATen argument name ({@code dim}, {@code keepdim}, ...)
 * @param type         its type
 * @param defaultValue the value used when the caller gives none, or {@code null} when the attribute is required
 *                     (or, for {@link #optional} attributes, absent)
 * @param optional     whether "no value" is a legal value (ATen's {@code int?}, {@code Scalar?})
 */
public record AttrSpec(String name, AttrType type, Object defaultValue, boolean optional) {

    public static AttrSpec required(String name, AttrType type) { return new AttrSpec(name, type, null, false); }

    public static AttrSpec withDefault(String name, AttrType type, Object value) {
        return new AttrSpec(name, type, value, false);
    }

    public static AttrSpec optional(String name, AttrType type) { return new AttrSpec(name, type, null, true); }

    public boolean isRequired() { return defaultValue == null && !optional; }
}
