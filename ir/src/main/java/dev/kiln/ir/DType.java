package dev.kiln.ir;

/**
 * Element types of Kiln tensors, named as in PyTorch.
 *
 * <p>The order of the constants is not significant; promotion is defined by {@link #category()} and
 * {@link #promote(DType, DType)}, which follow {@code torch.promote_types} for the types Kiln has.
 */
public enum DType {
    BOOL("bool", "b1", 1, Category.BOOL),
    INT32("int32", "i4", 4, Category.INTEGRAL),
    INT64("int64", "i8", 8, Category.INTEGRAL),
    FLOAT32("float32", "f4", 4, Category.FLOATING),
    FLOAT64("float64", "f8", 8, Category.FLOATING);

    /** Kinds of dtype, ordered from weakest to strongest for type promotion. */
    public enum Category { BOOL, INTEGRAL, FLOATING }

    private final String torchName;
    private final String shortName;
    private final int itemSize;
    private final Category category;

    DType(String torchName, String shortName, int itemSize, Category category) {
        this.torchName = torchName;
        this.shortName = shortName;
        this.itemSize = itemSize;
        this.category = category;
    }

    /** The name PyTorch prints after {@code torch.}, e.g. {@code float32}. */
    public String torchName() { return torchName; }

    /** Kiln's compact IR spelling: {@code f32}, {@code f64}, {@code i32}, {@code i64}, {@code bool}. */
    public String irName() {
        return switch (this) {
            case BOOL -> "bool";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
        };
    }

    /** Size in bytes of one element. */
    public int itemSize() { return itemSize; }

    public Category category() { return category; }

    public boolean isFloatingPoint() { return category == Category.FLOATING; }

    public boolean isIntegral() { return category == Category.INTEGRAL; }

    /** The numpy type-string body ({@code f4}, {@code i8}, {@code b1}) without byte order. */
    public String numpyCode() { return shortName; }

    /** Default dtype for Python-style float scalars and floating factory functions. */
    public static final DType DEFAULT_FLOAT = FLOAT32;

    /** Default dtype for integer scalars and {@code arange} over integers. */
    public static final DType DEFAULT_INT = INT64;

    /**
     * The smallest dtype both {@code a} and {@code b} convert to without losing category, as
     * {@code torch.promote_types}: bool &lt; int32 &lt; int64 &lt; float32 &lt; float64.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.category != b.category) return a.category.ordinal() > b.category.ordinal() ? a : b;
        return a.itemSize >= b.itemSize ? a : b;
    }

    /** Parses either the torch name ({@code float32}) or the IR name ({@code f32}). */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.torchName.equals(name) || t.irName().equals(name)) return t;
        }
        throw new IllegalArgumentException("unknown dtype '" + name
                + "': expected one of bool, int32 (i32), int64 (i64), float32 (f32), float64 (f64)");
    }

    @Override
    public String toString() { return torchName; }
}
