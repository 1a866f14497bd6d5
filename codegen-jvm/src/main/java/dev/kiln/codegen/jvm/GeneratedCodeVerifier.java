package dev.kiln.codegen.jvm;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.MultiANewArrayInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * Decides whether a class file may be executed as generated code: a scan (with ASM) proving that it refers to
 * nothing but {@link GeneratedCodeAllowList} — the runtime kernel API, eager's {@code FastMath32} and a few JDK
 * members — so that bytecode from an archive can do no more than code {@link JvmCompiler} writes. Checked:
 *
 * <ul>
 *   <li>header: a public final class in {@value GeneratedCodeAllowList#PACKAGE}, superclass {@code Object}, no
 *       interface but {@code GeneratedGraph}, no nest attributes;</li>
 *   <li>every field and method descriptor, every type in {@code new/checkcast/anewarray/instanceof/multianewarray},
 *       exception handlers and {@code ldc} of a class: an allowed type (primitives and arrays of allowed types);</li>
 *   <li>every method call: a method of the class itself, or an allowed member of an allowed class with the right
 *       opcode; every field access: a field the class itself declares;</li>
 *   <li>no {@code native} method, no {@code invokedynamic}, no dynamic constant, no method handle outside the
 *       list.</li>
 * </ul>
 *
 * Type safety (stack, locals, access) is left to the JVM's own verifier when the class is defined; this scan is about
 * what the code can reach. Stateless and thread-safe.
 */
public final class GeneratedCodeVerifier {
    private GeneratedCodeVerifier() {}

    /** What a verified class declares: its binary name and its methods' names. */
    /**
     * A class that passed the scan.
     *
     * @param usesVectorApi whether it refers to {@code jdk.incubator.vector} (vector loops): it can only run in a JVM
     *                      started with {@code --add-modules jdk.incubator.vector}
     */
    public record VerifiedClass(String binaryName, Set<String> methodNames, boolean usesVectorApi) {
        public VerifiedClass {
            methodNames = Set.copyOf(methodNames);
        }
    }

    /** Scans {@code classFile}; returns its name and methods, or throws {@link GeneratedCodeRejectedException}. */
    public static VerifiedClass verify(byte[] classFile) {
        ClassNode cn = new ClassNode();
        try {
            new ClassReader(classFile).accept(cn, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        } catch (RuntimeException e) {
            throw new GeneratedCodeRejectedException("?", null, null, "not a readable class file (" + e + ")");
        }
        return new Scan(cn).run();
    }

    private static final String VECTOR_API = "jdk/incubator/vector/";

    private static final class Scan {
        private final ClassNode cn;
        private final String self;
        private final Set<String> ownFields = new HashSet<>();
        private String method;
        private boolean usesVectorApi;

        Scan(ClassNode cn) {
            this.cn = cn;
            this.self = cn.name;
        }

        VerifiedClass run() {
            header();
            for (FieldNode f : cn.fields) {
                type(Type.getType(f.desc), "field " + f.name + " " + f.desc);
                ownFields.add(f.name + ":" + f.desc);
            }
            List<String> names = new ArrayList<>();
            for (MethodNode m : cn.methods) {
                method = m.name + m.desc;
                names.add(m.name);
                if ((m.access & ACC_NATIVE) != 0) throw reject("native methods are not allowed", null);
                methodType(Type.getMethodType(m.desc), "its descriptor");
                if (m.exceptions != null) for (String e : m.exceptions) internal(e, "throws clause");
                for (TryCatchBlockNode t : m.tryCatchBlocks) if (t.type != null) internal(t.type, "exception handler");
                for (AbstractInsnNode insn : m.instructions) insn(insn);
            }
            return new VerifiedClass(self.replace('/', '.'), new HashSet<>(names), usesVectorApi);
        }

        private void header() {
            if (self == null || !self.startsWith(GeneratedCodeAllowList.PACKAGE)
                    || self.indexOf('/', GeneratedCodeAllowList.PACKAGE.length()) >= 0) {
                throw reject("a generated class must be in package "
                        + GeneratedCodeAllowList.PACKAGE.replace('/', '.'), self);
            }
            if ((cn.access & (ACC_INTERFACE | ACC_ANNOTATION | ACC_ENUM | ACC_MODULE)) != 0) {
                throw reject("a generated class must be a plain class", null);
            }
            if (!GeneratedCodeAllowList.SUPERCLASS.equals(cn.superName)) {
                throw reject("superclass must be java/lang/Object", cn.superName);
            }
            for (String i : cn.interfaces) {
                if (!i.equals(GeneratedCodeAllowList.INTERFACE)) throw reject("interface not allowed", i);
            }
            if (cn.nestHostClass != null || cn.nestMembers != null || cn.permittedSubclasses != null) {
                throw reject("nest and sealed-class attributes are not allowed", cn.nestHostClass != null
                        ? cn.nestHostClass : String.valueOf(cn.nestMembers != null ? cn.nestMembers : cn.permittedSubclasses));
            }
        }

        private void insn(AbstractInsnNode insn) {
            if (insn instanceof MethodInsnNode mi) call(mi.getOpcode(), mi.owner, mi.name, mi.desc);
            else if (insn instanceof FieldInsnNode fi) field(fi.getOpcode(), fi.owner, fi.name, fi.desc);
            else if (insn instanceof TypeInsnNode ti) internal(ti.desc, "type instruction");
            else if (insn instanceof MultiANewArrayInsnNode ma) type(Type.getType(ma.desc), "multianewarray");
            else if (insn instanceof LdcInsnNode ldc) constant(ldc.cst);
            else if (insn instanceof InvokeDynamicInsnNode indy) {
                throw reject("invokedynamic is not allowed", indy.name + indy.desc + " (bootstrap "
                        + indy.bsm.getOwner() + "." + indy.bsm.getName() + ")");
            }
        }

        private void call(int opcode, String owner, String name, String desc) {
            String ref = owner + "." + name + desc;
            if (owner.equals(self)) {
                methodType(Type.getMethodType(desc), ref);
                return;
            }
            if (owner.startsWith("[")) throw reject("method call on an array type is not allowed", ref);
            GeneratedCodeAllowList.Entry e = GeneratedCodeAllowList.of(owner);
            if (e == null) throw reject("reference outside the allow-list", ref);
            boolean ok = switch (e.rule()) {
                case TYPE -> false;
                case STATIC_METHODS -> opcode == INVOKESTATIC && !name.startsWith("<");
                case MEMBERS -> e.members().contains(name + desc) && (name.equals("<init>")
                        ? opcode == INVOKESPECIAL : opcode != INVOKESPECIAL);
                case VALUE_METHODS -> !name.startsWith("<") && opcode != INVOKESPECIAL;
            };
            if (!ok) throw reject("member not on the allow-list", ref);
            methodType(Type.getMethodType(desc), ref);
        }

        private void field(int opcode, String owner, String name, String desc) {
            String ref = owner + "." + name + ":" + desc;
            if (owner.equals(self) && ownFields.contains(name + ":" + desc)) return;
            GeneratedCodeAllowList.Entry e = GeneratedCodeAllowList.of(owner);
            if (opcode == GETSTATIC && e != null && e.fields().contains(name + ":" + desc)) {
                type(Type.getType(desc), ref);
                return;
            }
            throw reject("field access outside the generated class", ref);
        }

        private void constant(Object cst) {
            if (cst instanceof Type t) {
                if (t.getSort() == Type.METHOD) methodType(t, "ldc method type");
                else type(t, "ldc class constant");
            } else if (cst instanceof Handle h) {
                throw reject("method handle constants are not allowed", h.getOwner() + "." + h.getName() + h.getDesc());
            } else if (cst instanceof ConstantDynamic cd) {
                throw reject("dynamic constants are not allowed", cd.getName() + " " + cd.getDescriptor());
            }
            // numbers and strings are data
        }

        private void methodType(Type t, String where) {
            type(t.getReturnType(), where);
            for (Type a : t.getArgumentTypes()) type(a, where);
        }

        private void type(Type t, String where) {
            Type e = t.getSort() == Type.ARRAY ? t.getElementType() : t;
            if (e.getSort() == Type.OBJECT) internal(e.getInternalName(), where);
        }

        /** An internal name, or an array descriptor as {@code anewarray/checkcast} carry. */
        private void internal(String name, String where) {
            if (name.startsWith("[")) {
                type(Type.getType(name), where);
                return;
            }
            if (name.startsWith(VECTOR_API)) usesVectorApi = true;
            if (!name.equals(self) && GeneratedCodeAllowList.of(name) == null) {
                throw reject("type outside the allow-list (in " + where + ")", name);
            }
        }

        private GeneratedCodeRejectedException reject(String why, String reference) {
            return new GeneratedCodeRejectedException(self == null ? "?" : self.replace('/', '.'), method, reference, why);
        }
    }
}
