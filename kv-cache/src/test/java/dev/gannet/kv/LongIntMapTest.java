package dev.gannet.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongIntMapTest {

    @Test
    void matchesHashMapUnderRandomInsertsAndRemovals() {
        Random rnd = new Random(7);
        LongIntMap map = new LongIntMap(200);
        Map<Long, Integer> ref = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        for (int op = 0; op < 50_000; op++) {
            if (ref.size() < 200 && (keys.isEmpty() || rnd.nextInt(3) != 0)) {
                // Small key space with shared low bits forces long probe runs and wrap-around.
                long key = ((long) rnd.nextInt(64) << 40) | rnd.nextInt(16);
                if (ref.containsKey(key)) {
                    assertThrows(IllegalStateException.class, () -> map.putNew(key, 1));
                    continue;
                }
                int value = rnd.nextInt(1000);
                map.putNew(key, value);
                ref.put(key, value);
                keys.add(key);
            } else {
                long key = keys.remove(rnd.nextInt(keys.size()));
                assertEquals((int) ref.remove(key), map.remove(key));
                assertEquals(-1, map.remove(key));
            }
            assertEquals(ref.size(), map.size());
            if (op % 97 == 0) {
                for (Map.Entry<Long, Integer> e : ref.entrySet()) {
                    assertEquals((int) e.getValue(), map.get(e.getKey()), "key " + e.getKey());
                }
            }
        }
    }

    @Test
    void refusesToOverfill() {
        LongIntMap map = new LongIntMap(2);
        map.putNew(1, 1);
        map.putNew(2, 2);
        assertThrows(IllegalStateException.class, () -> map.putNew(3, 3));
        assertEquals(-1, map.get(3));
    }
}
