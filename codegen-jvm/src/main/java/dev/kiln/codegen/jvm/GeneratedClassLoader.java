package dev.kiln.codegen.jvm;

/**
 * Defines one generated class; its parent is the loader of this module, so generated code links against
 * {@link KilnKernels}, {@link Frame} and the eager kernels. One loader per class, so a compiled module's class can
 * be unloaded with it.
 */
final class GeneratedClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    GeneratedClassLoader() { super(GeneratedClassLoader.class.getClassLoader()); }

    Class<?> define(String binaryName, byte[] bytes) { return defineClass(binaryName, bytes, 0, bytes.length); }
}
