package dev.kiln.passes.shape;

import static dev.kiln.passes.PassTesting.expect;
import static dev.kiln.passes.PassTesting.unchanged;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecializeShapesTest {
    @Test
    void aKnownSymbolBecomesStaticInTypesAndAttributes() {
        expect("""
                graph(%x : f32[B, 4, T]):
                  %0 : int(B) = aten::size(%x, dim=0)
                  %1 : f32[B, T*4] = aten::view(%x, size=[B, -1])
                  %2 : f32[B*2, 3] = aten::zeros(size=[B*2, 3])
                  return (%1, %2)
                """, """
                graph(%x : f32[8, 4, T]):
                  %0 : int(8) = aten::size(%x, dim=0)
                  %1 : f32[8, T*4] = aten::view(%x, size=[8, -1])
                  %2 : f32[16, 3] = aten::zeros(size=[16, 3])
                  return (%1, %2)
                """, new SpecializeShapes(Map.of("B", 8L)));
    }

    @Test
    void otherSymbolsAreLeftAlone() {
        unchanged("""
                graph(%x : f32[B, 4]):
                  %1 : f32[B, 4] = aten::relu(%x)
                  return (%1)
                """, new SpecializeShapes(Map.of("S", 3L)));
    }
}
