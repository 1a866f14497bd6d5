package dev.kiln.codegen.jvm;

/**
 * A class file that {@link GeneratedCodeVerifier} refuses to load: it refers to something outside the generated-code
 * allow-list ({@link GeneratedCodeAllowList}), or is not a class the generator could have written. The message
 * names the class, the method (or {@code (class)} for the header) and the forbidden reference.
 */
public final class GeneratedCodeRejectedException extends RuntimeException {
    private final String className;
    private final String method;
    private final String reference;

    GeneratedCodeRejectedException(String className, String method, String reference, String why) {
        super("class " + className + ", " + (method == null ? "class header" : "method " + method) + ": " + why
                + (reference == null ? "" : ": " + reference));
        this.className = className;
        this.method = method;
        this.reference = reference;
    }

    /** The class's binary name as its bytes declare it ({@code ?} when unreadable). */
    public String className() { return className; }

    /** {@code name(descriptor)} of the offending method, or null for the class header. */
    public String method() { return method; }

    /** The forbidden reference ({@code java/lang/Runtime.exec(...)}), or null. */
    public String reference() { return reference; }
}
