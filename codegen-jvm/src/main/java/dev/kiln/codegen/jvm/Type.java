package dev.kiln.codegen.jvm;

/** JVM internal names and descriptors of the classes generated code refers to. */
final class Type {
    private Type() {}

    static String internal(Class<?> c) { return org.objectweb.asm.Type.getInternalName(c); }

    static String desc(Class<?> c) { return org.objectweb.asm.Type.getDescriptor(c); }
}
