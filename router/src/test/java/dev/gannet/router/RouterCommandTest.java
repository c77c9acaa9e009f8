package dev.gannet.router;

import dev.gannet.router.policy.PolicyKind;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterCommandTest {
    private static RouterConfig parse(Map<String, String> env, String... args) throws Exception {
        CommandLine cl = RouterCommand.commandLine(env);
        cl.parseArgs(args);
        return ((RouterCommand) cl.getCommand()).config();
    }

    @Test
    void flagsAndTheEnvironmentBothWorkAndFlagsWin() throws Exception {
        RouterConfig c = parse(Map.of("GANNET_ROUTER_POLICY", "session", "GANNET_ROUTER_PORT", "9000",
                        "GANNET_ROUTER_REPLICA", "http://a:1,http://b:2", "GANNET_ROUTER_FIRST_BYTE_TIMEOUT", "5s"),
                "--port", "9100", "--prefix-chars", "32");
        assertEquals(PolicyKind.SESSION, c.policy());
        assertEquals(9100, c.port());
        assertEquals(List.of(URI.create("http://a:1"), URI.create("http://b:2")), c.replicas());
        assertEquals(Duration.ofSeconds(5), c.proxy().firstByteTimeout());
        assertEquals(32, c.proxy().prefixChars());
        assertEquals(4L << 20, c.maxBodyBytes());
    }

    @Test
    void repeatedReplicaFlagsAddUp() throws Exception {
        RouterConfig c = parse(Map.of(), "--replica", "http://127.0.0.1:8081", "--replica", "127.0.0.1:8082", "--policy", "prefix");
        assertEquals(2, c.replicas().size());
        assertEquals(PolicyKind.PREFIX, c.policy());
    }

    @Test
    void badOptionsStopWithOneLineAndExitTwo() {
        for (String[] args : new String[][] {{}, {"--replica", "http://a:1", "--policy", "random"},
            {"--replica", "http://a:1", "--eject-for", "soon"}, {"--replica", "http://a:1/v1"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true));
            try {
                assertEquals(2, RouterCommand.commandLine(Map.of()).execute(args), String.join(" ", args));
            } finally {
                System.setErr(old);
            }
            assertTrue(err.toString().startsWith("gannet router: "), err.toString());
        }
    }

    @Test
    void envNamesFollowTheFlags() {
        assertEquals("GANNET_ROUTER_REPLICAS_DNS", RouterCommand.envName("--replicas-dns"));
    }
}
