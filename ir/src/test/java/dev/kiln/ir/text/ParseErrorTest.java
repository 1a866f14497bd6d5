package dev.kiln.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Parse errors name line and column and what was expected. */
class ParseErrorTest {

    private static ParseException error(String text) {
        return assertThrows(ParseException.class, () -> IrParser.parse(text));
    }

    private static void check(String text, int line, int column, String message) {
        ParseException e = error(text);
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith(line + ":" + column + ": " + message), e.getMessage());
    }

    @Test
    void syntax() {
        check("graph(%x : f32[4]:\n  return (%x)\n", 1, 18, "expected ')', found ':'");
        check("graph(%x : f32[4]):\n  %1 : f32[4] = aten::relu(%x\n  return (%1)\n", 2, 30,
                "expected ')', found end of line");
        check("graph(%x : f32[4]):\n  %1 : f32[4] aten::relu(%x)\n  return (%1)\n", 2, 15,
                "expected '=', found 'aten::relu'");
        check("graph(%x : f32[4]):\n  %1 : f32[4] = aten::relu(%x)\n", 3, 1, "expected a node or 'return', "
                + "found end of input");
        check("graph(%x : f32[4]):\n  return (%x)\n  %1 : f32[4] = aten::relu(%x)\n", 3, 3,
                "expected end of input after the graph's return");
        check("graph(%x : f32[4]) $\n", 1, 20, "unexpected character '$'");
    }

    @Test
    void types() {
        check("graph(%x : f33[4]):\n  return (%x)\n", 1, 12, "expected a type (bool, i32, i64, f32, f64 or int), "
                + "found 'f33'");
        check("graph(%x : f32[B, -2]):\n  return (%x)\n", 1, 19, "expected a non-negative size, found -2");
        check("graph(%x : f32[B, ]):\n  return (%x)\n", 1, 19, "expected a size");
        check("graph(%x : f32[floordiv(B, 0)]):\n  return (%x)\n", 1, 28, "expected a positive constant divisor");
        check("graph(%x : f32[4]{wrapped}):\n  return (%x)\n", 1, 12, "expected a 0-d type for a wrapped number");
        check("graph(%x : f32[4]):\n  %1, %2 : f32[4] = aten::max.dim(%x, dim=0)\n  return (%1)\n", 2, 3,
                "expected 2 types for 2 values, found 1 types");
    }

    @Test
    void attributesAndConstants() {
        check("graph(%x : f32[4]):\n  %1 : f32[] = aten::sum(%x, dims=[0])\n  return (%1)\n", 2, 30,
                "expected an attribute of aten::sum, found unknown attribute 'dims'");
        check("graph(%x : f32[4]):\n  %1 : f32[] = aten::sum(%x, dim=0)\n  return (%1)\n", 2, 34,
                "expected '[', found '0'");
        check("graph(%x : f32[4]):\n  %1 : f32[4] = aten::softmax(%x)\n  return (%1)\n", 2, 33,
                "aten::softmax: required attribute 'dim' (INT) is missing");
        check("graph(%x : f32[4]):\n  %1 : f32[] = aten::sum(dim=[0], %x)\n  return (%1)\n", 2, 35,
                "expected an attribute 'name=value' (tensor inputs come first), found '%x'");
        check("graph(%x : f32[4]):\n  %c : f32[3] = const([1.0, 2.0])\n  return (%c)\n", 2, 32,
                "expected 3 elements for f32[3], found 2");
        check("graph(%x : f32[4]):\n  %c : f32[3] = const(@w0)\n  return (%c)\n", 2, 23,
                "expected a key of the constant table given to the parser, found unknown constant '@w0'");
        check("graph(%x : f32[4]):\n  %c : i64[] = const(1.5)\n  return (%c)\n", 2, 22,
                "expected an integer, found '1.5'");
        check("graph(%x : f32[4]):\n  %c : f32[B] = const([1.0])\n  return (%c)\n", 2, 17,
                "expected one static tensor type declared for a constant");
        check("graph(%x : f32[4]):\n  %1 : f32[4] = aten::relu(%x)   # conv @ Net.java\n  return (%1)\n", 2, 34,
                "expected a source comment");
    }

    @Test
    void blocks() {
        check("""
                graph(%x : f32[4], %p : bool[]):
                  %1 : f32[4] = kiln::cond(%p, %x)
                    block(%a : f32[4]):
                      return (%a)
                  return (%1)
                """, 5, 3, "expected 'block', found 'return'");
        check("""
                graph(%x : f32[4]):
                  %1 : f32[4] = aten::relu(%x)
                    block(%a : f32[4]):
                      return (%a)
                  return (%1)
                """, 3, 5, "expected a node (aten::relu has 0 blocks), found 'block'");
    }

    @Test
    void messageQuotesTheLineWithACaret() {
        ParseException e = error("graph(%x : f32[4]):\n  %1 : f32[4] = aten::relu(%x,, )\n  return (%1)\n");
        assertEquals("2:31: expected a tensor value, None, or name=value, found ','\n"
                + "    %1 : f32[4] = aten::relu(%x,, )\n"
                + "                                ^", e.getMessage());
    }
}
