package dev.gannet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GannetMainTest {

    @Test
    void helpListsEverySubcommand() {
        CommandLine cl = GannetMain.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        for (String sub : new String[] {"serve", "generate", "tokenize", "model", "router", "loadtest"}) {
            assertTrue(out.toString().contains(sub), sub + " missing from:\n" + out);
        }
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"serve", "generate", "tokenize", "model", "router", "loadtest"}) {
            CommandLine cl = GannetMain.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            assertEquals(0, cl.execute(sub, "--help"), sub);
            assertTrue(out.toString().contains("Usage:"), sub + ":\n" + out);
        }
    }

    @Test
    void serveFlagsComeFromTheConfigKeys() throws Exception {
        CommandLine cl = ServeCommand.commandLine(Map.of("GANNET_PORT", "9100"));
        cl.parseArgs("--max-running", "7", "--host", "0.0.0.0");
        var cfg = ((ServeCommand) cl.getCommand()).resolveConfig();
        assertEquals(7, cfg.maxRunning());
        assertEquals(9100, cfg.port());
        assertEquals("0.0.0.0", cfg.host());
    }

    @Test
    void badConfigStopsServeWithTheKeyNamed(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "bogus_key: 1\n");
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertEquals(2, ServeCommand.commandLine(Map.of()).execute("--config", bad.toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("bogus_key"), err.toString());
    }
}
