package dev.gannet.server.http;

import dev.gannet.server.api.FakeBackend;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.gannet.server.http.StatusCodesTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 18, fault 4: stalled readers, idle and half-open connections, and non-HTTP bytes. */
class ConnectionLimitsTest {
    private static final ServerOptions.Timeouts SHORT =
            new ServerOptions.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));

    /** Before: a client that stopped reading made the server buffer its whole response (+167 MB for 4 readers). */
    @Test
    void aStreamingClientThatStopsReadingLosesItsRequest() throws Exception {
        // about 20,000 tokens a second: an engine's rate for a batch of streams, so buffers fill within seconds
        FakeBackend backend = new FakeBackend(4_000_000).tokenDelayMillis(1).tokensPerStep(20);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake").withTimeouts(SHORT));
             Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", h.port));
            String body = "{\"prompt\":\"x\",\"max_tokens\":3000000,\"ignore_eos\":true,\"stream\":true}";
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // read nothing: the socket's buffers fill, the server holds events, then gives up on the request
            StatusCodesTest.waitFor(() -> backend.aborts() >= 1 && h.server.inflightRequests() == 0 && backend.runningNow() == 0, 15);
            waitFor(() -> h.logLines.stream().anyMatch(l -> l.contains("client stopped reading")));
        }
    }

    /** Before: a TLS handshake sent to the plain port got neither an answer nor a close. */
    @Test
    void nonHttpBytesAndSilentConnectionsAreClosed() throws Exception {
        try (ServerHarness h = new ServerHarness(new FakeBackend(256), ServerOptions.defaults("fake").withTimeouts(SHORT))) {
            byte[] clientHello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 0x11, 0x22};
            try (Socket tls = new Socket("127.0.0.1", h.port); Socket silent = new Socket("127.0.0.1", h.port);
                 Socket slowHeaders = new Socket("127.0.0.1", h.port)) {
                tls.getOutputStream().write(clientHello);
                slowHeaders.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                for (Socket s : new Socket[] {tls, silent, slowHeaders}) {
                    assertClosedWithin(s, 5000);
                }
            }
        }
    }

    @Test
    void idleKeepAliveConnectionsCloseButLongRequestsDoNot() throws Exception {
        FakeBackend backend = new FakeBackend(4096).tokenDelayMillis(100);
        try (ServerHarness h = new ServerHarness(backend, ServerOptions.defaults("fake").withTimeouts(SHORT));
             Socket s = new Socket("127.0.0.1", h.port)) {
            // a stream lasting ~2.5 s, longer than every timeout, is not cut
            String body = "{\"prompt\":\"x\",\"max_tokens\":25,\"stream\":true}";
            s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            s.setSoTimeout(10_000);
            while (seen.indexOf("[DONE]") < 0) {
                int c = in.read();
                assertTrue(c >= 0, "the stream was cut: " + seen);
                seen.append((char) c);
            }
            assertTrue(seen.indexOf("\"finish_reason\":\"length\"") > 0, seen.toString());
            // then the connection sits idle and is closed
            assertClosedWithin(s, 5000);
            assertEquals(0, h.server.inflightRequests());
        }
    }

    private static void assertClosedWithin(Socket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        InputStream in = s.getInputStream();
        try {
            while (true) {
                int c = in.read();
                if (c < 0) return;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + millis + " ms");
        } catch (java.net.SocketException reset) {
            // closed by reset: closed all the same
        }
    }
}
