package dev.kiln.eager.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 0, 3.5, -1e3, 2E-2], \"s\": \"q\\\"\\\\\\/\\n\\t\\u00e9\\u20ac\","
                + " \"t\": true, \"f\": false, \"n\": null, \"o\": {}, \"l\": []}\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "s", "t", "f", "n", "o", "l"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 0L, 3.5, -1000.0, 0.02), m.get("a"));
        assertEquals("q\"\\/\n\té€", m.get("s"));
        assertEquals(true, m.get("t"));
        assertEquals(false, m.get("f"));
        assertNull(m.get("n"));
        assertTrue(m.containsKey("n"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of(), m.get("l"));
        assertEquals(Long.MAX_VALUE, Json.parse(Long.toString(Long.MAX_VALUE)));
    }

    @Test
    void rejectsWhatTheGrammarDoesNot() {
        for (String bad : new String[] {"{\"a\": 1,}", "[1, 2,]", "{'a': 1}", "01", "-", "1.", "1e", "\"abc",
                "{\"a\" 1}", "[1 2]", "tru", "{\"a\": 1} x", "\"tab\there\"", "\"\\x\"", "99999999999999999999", "",
                "{\"a\": 1, \"a\": 2}", "[".repeat(100) + "]".repeat(100)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
        }
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k\"ey", List.of(1L, 2, -3.5, true, false));
        m.put("ctl", "a\u0001b\nc");
        m.put("nested", Map.of("x", "y"));
        m.put("null", null);
        String text = Json.write(m);
        assertEquals("{\"k\\\"ey\":[1,2,-3.5,true,false],\"ctl\":\"a\\u0001b\\nc\",\"nested\":{\"x\":\"y\"},"
                + "\"null\":null}", text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals("a\u0001b\nc", back.get("ctl"));
        assertEquals(Arrays.asList(1L, 2L, -3.5, true, false), back.get("k\"ey"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    }
}
