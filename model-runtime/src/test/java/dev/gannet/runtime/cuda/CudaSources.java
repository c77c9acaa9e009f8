package dev.gannet.runtime.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Test helper: reads the extern "C" kernel signatures out of src/main/cuda/*.cu, expanding the
 * GANNET_* instantiation macros, as parameter kinds (p = pointer, i = int, f = float).
 */
final class CudaSources {
    private CudaSources() { }

    static final Path DIR = Path.of("src/main/cuda");
    private static final Pattern ENTRY = Pattern.compile("extern \"C\" __global__ void (\\w+?)(##SUF)?\\s*\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("#define (GANNET_\\w+)\\(([^)]*)\\)((?:[^\\n]*\\\\\\n)*[^\\n]*)");
    private static final Pattern USE = Pattern.compile("(?m)^(GANNET_\\w+)\\(([^)]*)\\)\\s*$");

    /** kernel name -> parameter kinds, over every .cu file. */
    static Map<String, String> signatures() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
        for (Path f : files) {
            String text = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
            Map<String, List<String[]>> macros = new LinkedHashMap<>(); // macro -> (base name, kinds)
            Matcher d = DEFINE.matcher(text);
            while (d.find()) {
                List<String[]> entries = new ArrayList<>();
                Matcher e = ENTRY.matcher(d.group(3).replace("\\\n", " "));
                while (e.find()) entries.add(new String[] {e.group(1), kinds(e.group(3))}); // group 1 ends with the "_" before ##SUF
                macros.put(d.group(1), entries);
            }
            String plain = DEFINE.matcher(text).replaceAll("");
            Matcher u = USE.matcher(plain);
            while (u.find()) {
                String[] a = u.group(2).split(",");
                String suffix = a[a.length - 1].strip();
                for (String[] e : macros.getOrDefault(u.group(1), List.of())) out.put(e[0] + suffix, e[1]);
            }
            Matcher e = ENTRY.matcher(plain);
            while (e.find()) {
                if (e.group(2) == null) out.put(e.group(1), kinds(e.group(3)));
            }
        }
        return out;
    }

    static String kinds(String params) {
        StringBuilder sb = new StringBuilder();
        for (String p : params.replaceAll("\\s+", " ").split(",")) {
            String t = p.strip();
            if (t.contains("*")) sb.append('p');
            else if (t.startsWith("int ")) sb.append('i');
            else if (t.startsWith("float ")) sb.append('f');
            else throw new IllegalArgumentException("parameter type not handled: '" + t + "'");
        }
        return sb.toString();
    }
}
