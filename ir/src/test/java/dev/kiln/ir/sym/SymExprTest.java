package dev.kiln.ir.sym;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ir.text.IrParser;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SymExprTest {
    private static final SymExpr B = SymExpr.symbol("B");
    private static final SymExpr S = SymExpr.symbol("S");

    private static SymExpr p(String s) { return IrParser.parseDim(s); }

    @Test
    void productsAreCanonical() {
        assertEquals(B.times(16), SymExpr.of(16).times(B));
        assertEquals("B*16", SymExpr.of(16).times(B).toString());
        assertEquals(p("B*16"), p("16*B"));
        assertEquals("B*16", p("16*B").toString());
        assertEquals("B*S*4", p("2*S*B*2").toString());
        assertEquals(p("S*B"), p("B*S"));
    }

    @Test
    void sumsCollectTermsAndFoldConstants() {
        assertEquals("B+1", p("1+B").toString());
        assertEquals("B", p("B+1-1").toString());
        assertEquals("0", p("B-B").toString());
        assertEquals("B*3+2", p("B+2*B+5-3").toString());
        assertEquals("-B+4", p("4-B").toString());
        assertEquals("B*B+B*2+1", p("(B+1)*(B+1)").toString());
        assertEquals("12", p("3*4").toString());
        assertTrue(p("3*4").isConstant(12));
        assertFalse(p("B*0+B").isConstant());
    }

    @Test
    void floorDivSimplifiesExactParts() {
        // floordiv(q*d + r, d) => q + floordiv(r, d)
        assertEquals("B*4", B.times(16).floorDiv(4).toString());
        assertEquals("B*4", p("floordiv(B*16+3, 4)").toString());
        assertEquals("B+floordiv(B+1, 4)", p("floordiv(B*5+1, 4)").toString());
        assertEquals("3", p("floordiv(7, 2)").toString());
        assertEquals("-4", p("floordiv(-7, 2)").toString()); // floor, not truncation
        // floordiv(floordiv(x, a), b) => floordiv(x, a*b)
        assertEquals(p("floordiv(B+1, 6)"), p("floordiv(B+1, 2)").floorDiv(3));
        assertEquals("floordiv(B+1, 2)", p("floordiv(1+B, 2)").toString());
        assertEquals(B.plus(1).floorDiv(2).plus(1), p("floordiv(B+3, 2)"));
        assertThrows(IllegalArgumentException.class, () -> B.floorDiv(0));
    }

    @Test
    void printedFormParsesBackEqual() {
        for (String s : new String[] {"B", "B*16", "B+1", "-B+4", "floordiv(B-1, 2)+1", "B*S*4-7", "B*B", "0",
                "-3", "floordiv(B*S+3, 4)*2"}) {
            SymExpr e = p(s);
            assertEquals(e, p(e.toString()), s);
            assertEquals(e.toString(), p(e.toString()).toString(), s);
        }
    }

    @Test
    void evaluatesUnderBindings() {
        Map<String, Long> env = Map.of("B", 32L, "S", 7L);
        assertEquals(512, p("B*16").eval(env));
        assertEquals(15, p("floordiv(B-1, 2)").eval(env));
        assertEquals(32 * 7 + 1, p("B*S+1").eval(env));
        assertEquals(-3, p("floordiv(S-13, 2)").eval(env));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p("B+H").eval(env));
        assertTrue(e.getMessage().contains("'H'"), e.getMessage());
    }

    @Test
    void divExactOnlyWhenPolynomial() {
        assertEquals(Optional.of(B), B.times(784).divExact(SymExpr.of(784)));
        assertEquals(Optional.of(B.times(2)), B.times(S).times(8).divExact(S.times(4)));
        assertEquals(Optional.empty(), B.times(4).divExact(SymExpr.of(8)));
        assertEquals(Optional.empty(), B.plus(1).divExact(B));
        assertEquals(Optional.of(SymExpr.of(1)), B.plus(1).divExact(B.plus(1)));
        assertEquals(Optional.empty(), SymExpr.of(5).divExact(SymExpr.of(0)));
    }

    @Test
    void substituteAndSymbols() {
        SymExpr e = p("floordiv(B*S+1, 2)");
        assertEquals(Set.of("B", "S"), e.symbols());
        assertEquals(p("floordiv(S*4+1, 2)"), e.substitute(Map.of("B", SymExpr.of(4))));
        assertEquals(SymExpr.of(14), e.substitute(Map.of("B", SymExpr.of(4), "S", SymExpr.of(7))));
        assertNotEquals(p("B"), p("S"));
        assertThrows(IllegalArgumentException.class, () -> SymExpr.symbol("floordiv"));
        assertThrows(IllegalArgumentException.class, () -> SymExpr.symbol("1B"));
    }
}
