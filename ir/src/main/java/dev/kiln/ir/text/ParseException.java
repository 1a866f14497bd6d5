package dev.kiln.ir.text;

import dev.kiln.ir.IrException;

/**
 * IR text that does not parse. The message starts with {@code line:column}, says what was expected and what was
 * found, and quotes the line with a caret under the column.
 */
public final class ParseException extends IrException {
    private final int line;
    private final int column;

    ParseException(int line, int column, String message, String sourceLine) {
        super(line + ":" + column + ": " + message
                + (sourceLine == null ? "" : "\n  " + sourceLine + "\n  " + " ".repeat(Math.max(column - 1, 0)) + "^"));
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the error. */
    public int line() { return line; }

    /** 1-based column of the error. */
    public int column() { return column; }
}
