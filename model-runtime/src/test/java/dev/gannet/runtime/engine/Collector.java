package dev.gannet.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Records every event and checks their order; safe to read from a test thread while the engine thread writes. */
final class Collector implements RequestListener {
    final Map<Long, List<Integer>> tokens = new ConcurrentHashMap<>();
    final Map<Long, FinishInfo> finishes = new ConcurrentHashMap<>();
    final Map<Long, String> texts = new ConcurrentHashMap<>();
    final List<Long> finishOrder = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final CountDownLatch done;

    Collector(int expected) {
        done = new CountDownLatch(expected);
    }

    @Override
    public void onEvent(RequestEvent e) {
        long requestId = e.requestId();
        if (finishes.containsKey(requestId)) {
            errors.add("event after finish for " + requestId);
        }
        texts.merge(requestId, e.text(), String::concat);
        List<Integer> list = tokens.computeIfAbsent(requestId, k -> new ArrayList<>());
        if (e.hasToken()) {
            if (e.index() != list.size()) {
                errors.add("request " + requestId + ": index " + e.index() + " but " + list.size() + " tokens so far");
            }
            list.add(e.token());
        }
        if (!e.finished()) {
            return;
        }
        FinishInfo info = e.finish();
        finishes.put(requestId, info);
        if (info.generatedTokens() != list.size()) {
            errors.add("request " + requestId + ": generatedTokens " + info.generatedTokens()
                    + " but " + list.size() + " delivered");
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
