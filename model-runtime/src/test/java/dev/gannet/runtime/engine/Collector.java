package dev.gannet.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Records every event; safe to read from a test thread while the engine thread writes. */
final class Collector implements RequestListener {
    final Map<Long, List<Integer>> tokens = new ConcurrentHashMap<>();
    final Map<Long, FinishInfo> finishes = new ConcurrentHashMap<>();
    final List<Long> finishOrder = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final CountDownLatch done;

    Collector(int expected) {
        done = new CountDownLatch(expected);
    }

    @Override
    public void onToken(long requestId, int tokenId, int index) {
        if (finishes.containsKey(requestId)) {
            errors.add("token after finish for " + requestId);
        }
        List<Integer> list = tokens.computeIfAbsent(requestId, k -> new ArrayList<>());
        if (index != list.size()) {
            errors.add("request " + requestId + ": index " + index + " but " + list.size() + " tokens so far");
        }
        list.add(tokenId);
    }

    @Override
    public void onFinish(long requestId, FinishInfo info) {
        if (finishes.putIfAbsent(requestId, info) != null) {
            errors.add("second finish for " + requestId);
        }
        if (info.generatedTokens() != tokens(requestId).size()) {
            errors.add("request " + requestId + ": generatedTokens " + info.generatedTokens()
                    + " but " + tokens(requestId).size() + " delivered");
        }
        finishOrder.add(requestId);
        done.countDown();
    }

    List<Integer> tokens(long id) {
        return tokens.getOrDefault(id, List.of());
    }

    FinishReason reason(long id) {
        FinishInfo info = finishes.get(id);
        return info == null ? null : info.reason();
    }
}
