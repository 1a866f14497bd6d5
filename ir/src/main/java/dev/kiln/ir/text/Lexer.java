package dev.kiln.ir.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits IR text into tokens. Newlines are significant (one node per line); lines that hold only blanks or a
 * comment produce no tokens at all, and consecutive newlines collapse into one.
 */
final class Lexer {
    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String src) { this.src = src; }

    static List<Token> tokenize(String src) { return new Lexer(src).run(); }

    private List<Token> run() {
        boolean lineHasCode = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            int col = pos - lineStart + 1;
            if (c == '\n') {
                if (lineHasCode) add(Token.Kind.NEWLINE, "\n", col);
                lineHasCode = false;
                pos++;
                line++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                int end = src.indexOf('\n', pos);
                if (end < 0) end = src.length();
                if (lineHasCode) add(Token.Kind.COMMENT, src.substring(pos + 1, end).trim(), col);
                pos = end;
            } else {
                lineHasCode = true;
                lexCode(c, col);
            }
        }
        if (lineHasCode) add(Token.Kind.NEWLINE, "\n", pos - lineStart + 1);
        add(Token.Kind.EOF, "", pos - lineStart + 1);
        return out;
    }

    private void lexCode(char c, int col) {
        if (c == '%' || c == '@') {
            int start = ++pos;
            while (pos < src.length() && isNameChar(src.charAt(pos))) pos++;
            if (pos == start) throw error(col, "expected a name after '" + c + "'");
            add(c == '%' ? Token.Kind.VALUE : Token.Kind.CONST_KEY, src.substring(start, pos), col);
        } else if (Character.isDigit(c)) {
            lexNumber(col);
        } else if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < src.length()) {
                char d = src.charAt(pos);
                if (isNameChar(d)) pos++;
                else if (d == ':' && pos + 2 < src.length() && src.charAt(pos + 1) == ':'
                        && Character.isLetter(src.charAt(pos + 2))) pos += 2; // namespace separator: aten::add
                else break;
            }
            add(Token.Kind.IDENT, src.substring(start, pos), col);
        } else if (c == '"') {
            lexString(col);
        } else if ("()[]{},:=+-*".indexOf(c) >= 0) {
            pos++;
            add(Token.Kind.PUNCT, String.valueOf(c), col);
        } else {
            throw error(col, "unexpected character '" + c + "'");
        }
    }

    private void lexNumber(int col) {
        int start = pos;
        boolean isFloat = false;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        if (pos < src.length() && src.charAt(pos) == '.') {
            isFloat = true;
            pos++;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) pos++;
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                isFloat = true;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
            } else {
                pos = save;
            }
        }
        add(isFloat ? Token.Kind.FLOAT : Token.Kind.INT, src.substring(start, pos), col);
    }

    private void lexString(int col) {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') throw error(col, "unterminated string");
            char c = src.charAt(pos++);
            if (c == '"') break;
            if (c == '\\') {
                if (pos >= src.length()) throw error(col, "unterminated string");
                char e = src.charAt(pos++);
                if (e != '"' && e != '\\') throw error(pos - lineStart - 1, "unknown escape '\\" + e + "'");
                c = e;
            }
            sb.append(c);
        }
        add(Token.Kind.STRING, sb.toString(), col);
    }

    static boolean isNameChar(char c) { return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.'); }

    private void add(Token.Kind kind, String text, int col) { out.add(new Token(kind, text, line, col)); }

    private ParseException error(int col, String msg) {
        int end = src.indexOf('\n', lineStart);
        return new ParseException(line, col, msg, src.substring(lineStart, end < 0 ? src.length() : end));
    }
}
