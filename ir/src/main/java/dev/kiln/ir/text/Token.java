package dev.kiln.ir.text;

/** One lexical token of IR text, with its 1-based position. */
record Token(Kind kind, String text, int line, int column) {
    enum Kind {
        /** {@code %name}; text excludes the {@code %}. */
        VALUE,
        /** {@code @key}; text excludes the {@code @}. */
        CONST_KEY,
        /** identifiers and qualified op names: {@code B}, {@code f32}, {@code aten::max.dim}. */
        IDENT,
        INT,
        FLOAT,
        /** a double-quoted string; text is unescaped. */
        STRING,
        /** one of {@code ( ) [ ] { } , : = + - *}. */
        PUNCT,
        /** the rest of a line after {@code #}, trimmed. */
        COMMENT,
        NEWLINE,
        EOF
    }

    boolean is(String punctOrIdent) {
        return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(punctOrIdent);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case VALUE -> "'%" + text + "'";
            case CONST_KEY -> "'@" + text + "'";
            case STRING -> "string \"" + text + "\"";
            case COMMENT -> "comment";
            case NEWLINE -> "end of line";
            case EOF -> "end of input";
            default -> "'" + text + "'";
        };
    }
}
