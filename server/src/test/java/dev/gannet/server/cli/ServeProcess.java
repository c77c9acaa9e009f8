package dev.gannet.server.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code gannet serve} child process on the test classpath, on a free port. */
final class ServeProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving \\S+ on http://127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final LinkedBlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    private int port = -1;

    ServeProcess(Path model, String... flags) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                GannetMain.class.getName(), "serve", "--model", model.toString(), "--port", "0"));
        cmd.addAll(List.of(flags));
        process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) stderr.add(line);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
    }

    /** Waits for the "serving ... on" line; returns the base URL. */
    String awaitServing() throws InterruptedException {
        if (port > 0) return base();
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String line = stderr.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                if (!process.isAlive()) break;
                continue;
            }
            seen.add(line);
            Matcher m = SERVING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                return base();
            }
        }
        throw new AssertionError("serve did not start:\n" + String.join("\n", seen));
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The value of an unlabelled-or-labelled counter or gauge on /metrics (summed over label sets). */
    static double metric(HttpClient http, String base, String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) throw new AssertionError(name + " missing from " + base + "/metrics");
        return sum;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
