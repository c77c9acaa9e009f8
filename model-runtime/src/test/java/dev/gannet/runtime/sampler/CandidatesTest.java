package dev.gannet.runtime.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CandidatesTest {
    @Test
    void selectTopPutsTheBestKInFrontAndSortOrdersThem() {
        Random r = new Random(1);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + r.nextInt(3000);
            int k = 1 + r.nextInt(n);
            float[] val = new float[n];
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) { val[i] = r.nextInt(50); idx[i] = i; } // many ties
            float[] expectVal = val.clone();
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> expectVal[a] != expectVal[b] ? Float.compare(expectVal[b], expectVal[a]) : Integer.compare(a, b));
            Candidates.selectTop(val, idx, n, k);
            Candidates.sort(val, idx, k);
            int[] want = new int[k];
            for (int i = 0; i < k; i++) want[i] = order[i];
            assertArrayEquals(want, Arrays.copyOf(idx, k), "n=" + n + " k=" + k);
            for (int i = 0; i < k; i++) assertEquals(expectVal[idx[i]], val[i]);
        }
    }

    @Test
    void heapTopAndSelectMassAgreeWithASort() {
        Random r = new Random(2);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + r.nextInt(5000);
            float[] row = new float[n + 3];
            for (int i = 0; i < row.length; i++) row[i] = r.nextInt(40) / 4f; // ties
            int k = 1 + r.nextInt(n);
            float min = trial % 3 == 0 ? 5f : Float.NEGATIVE_INFINITY;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> row[3 + a] != row[3 + b] ? Float.compare(row[3 + b], row[3 + a]) : Integer.compare(a, b));
            java.util.List<Integer> want = java.util.Arrays.stream(order).filter(i -> row[3 + i] >= min).limit(k).sorted().toList();
            float[] val = new float[n];
            int[] idx = new int[n];
            int got = Candidates.heapTop(row, 3, n, k, min, val, idx);
            assertEquals(want, java.util.Arrays.stream(idx, 0, got).sorted().boxed().toList(), "n=" + n + " k=" + k);

            // mass selection over weights: the smallest best-first prefix reaching the target
            for (int i = 0; i < n; i++) { val[i] = row[3 + i]; idx[i] = i; }
            double total = 0;
            for (int i = 0; i < n; i++) total += val[i];
            double target = r.nextDouble() * total;
            int c = 0;
            double cum = 0;
            while (c < n && (cum < target || c == 0)) cum += val[order[c++]];
            int m = Candidates.selectMass(val, idx, n, target);
            assertEquals(c, m, "n=" + n + " target=" + target);
            java.util.Set<Integer> expect = new java.util.HashSet<>(java.util.Arrays.asList(order).subList(0, c));
            for (int i = 0; i < m; i++) assertTrue(expect.contains(idx[i]));
        }
    }
}
