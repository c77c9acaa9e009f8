package dev.gannet.router.replica;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscoveryTest {
    private final Vertx vertx = Vertx.vertx();
    private final List<String> log = new ArrayList<>();
    private final ReplicaSet set = new ReplicaSet(() -> new CircuitBreaker(3, Duration.ofSeconds(1)));

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<String> ids(ReplicaSet s) {
        return s.all().stream().map(Replica::id).toList();
    }

    private void poll(Discovery d) throws Exception {
        d.poll().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theFileIsReadAgainWhenItChangesAndABadVersionKeepsTheLastList(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("replicas.txt");
        Files.writeString(f, "# pool\nhttp://127.0.0.1:8081\n127.0.0.1:8082  # second\n\n");
        Discovery d = new Discovery(vertx, set, Duration.ofHours(1), f, null, InetAddress::getAllByName, log::add);
        poll(d);
        assertEquals(List.of("http://127.0.0.1:8081", "http://127.0.0.1:8082"), ids(set));
        Replica kept = set.all().get(1);
        Files.writeString(f, "http://127.0.0.1:8082\nhttp://127.0.0.1:8083\n");
        poll(d);
        assertEquals(List.of("http://127.0.0.1:8082", "http://127.0.0.1:8083"), ids(set));
        assertTrue(kept == set.all().getFirst(), "a replica that stays keeps its state");
        Files.writeString(f, "ftp://nope\n");
        poll(d);
        assertEquals(List.of("http://127.0.0.1:8082", "http://127.0.0.1:8083"), ids(set));
        assertTrue(log.getFirst().contains("line 1") && log.getFirst().contains("keeping the last list"), log.toString());
        Files.delete(f);
        poll(d);
        assertEquals(2, set.all().size());
    }

    @Test
    void aDnsNameIsResolvedToEveryAddressAgainAtEachPoll() throws Exception {
        AtomicReference<String[]> answer = new AtomicReference<>(new String[] {"10.0.0.1", "10.0.0.2"});
        Discovery.Resolver resolver = host -> {
            if (answer.get() == null) throw new UnknownHostException(host);
            InetAddress[] out = new InetAddress[answer.get().length];
            for (int i = 0; i < out.length; i++) out[i] = InetAddress.getByName(answer.get()[i]);
            return out;
        };
        Discovery d = new Discovery(vertx, set, Duration.ofHours(1), null, URI.create("http://gannet-pool.default.svc:8080"),
                resolver, log::add);
        poll(d);
        assertEquals(List.of("http://10.0.0.1:8080", "http://10.0.0.2:8080"), ids(set));
        Replica gone = set.all().getFirst();
        answer.set(new String[] {"10.0.0.2", "10.0.0.3", "fd00::7"});
        poll(d);
        assertEquals(List.of("http://10.0.0.2:8080", "http://10.0.0.3:8080", "http://[fd00:0:0:0:0:0:0:7]:8080"), ids(set));
        assertTrue(gone.removed());
        answer.set(null);
        poll(d);
        assertEquals(3, set.all().size(), "a failed lookup keeps the last list");
        assertTrue(log.getFirst().contains("does not resolve"), log.toString());
    }

    @Test
    void localhostResolvesThroughTheRealResolver() throws Exception {
        Discovery d = new Discovery(vertx, set, Duration.ofHours(1), null, URI.create("http://localhost:9"),
                InetAddress::getAllByName, log::add);
        poll(d);
        assertTrue(ids(set).contains("http://127.0.0.1:9"), ids(set).toString());
    }

    @Test
    void replicaUrlsAreNormalizedAndPathsRefused() {
        assertEquals(URI.create("http://gannet-0:80"), Discovery.parseReplica("HTTP://Gannet-0"));
        assertEquals(URI.create("https://x:443"), Discovery.parseReplica("https://x/"));
        assertEquals(URI.create("http://x:8081"), Discovery.parseReplica("x:8081"));
        assertThrows(IllegalArgumentException.class, () -> Discovery.parseReplica("http://x:8081/v1"));
        assertThrows(IllegalArgumentException.class, () -> Discovery.parseReplica("ftp://x"));
    }
}
