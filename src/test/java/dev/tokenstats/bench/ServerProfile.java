package dev.tokenstats.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the server spent its samples, from its JFR recording (execution samples of Java code and
 * native-method samples, e.g. a thread inside DuckDB through JNI): samples per thread kind, then per
 * kind the hottest frames by self and by total (inclusive) samples.
 */
final class ServerProfile {

    private ServerProfile() {
    }

    static List<String> print(Path jfr, int top) throws IOException {
        Map<String, Integer> perKind = new HashMap<>();
        Map<String, Map<String, Integer>> self = new HashMap<>();
        Map<String, Map<String, Integer>> total = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            String kind = kind(thread) + (type.equals("jdk.NativeMethodSample") ? " (in native)" : "");
            perKind.merge(kind, 1, Integer::sum);
            List<RecordedFrame> frames = st.getFrames();
            self.computeIfAbsent(kind, k -> new HashMap<>()).merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    total.computeIfAbsent(kind, k -> new HashMap<>()).merge(n, 1, Integer::sum);
                }
            }
        }
        List<String> out = new ArrayList<>();
        perKind.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).forEach(k -> {
            out.add(String.format(Locale.ROOT, "  %s: %,d samples", k.getKey(), k.getValue()));
            out.add("    self:");
            top(self.get(k.getKey()), top, k.getValue()).forEach(s -> out.add("      " + s));
            out.add("    total (frame anywhere on the stack):");
            top(total.get(k.getKey()), top, k.getValue()).forEach(s -> out.add("      " + s));
        });
        return out;
    }

    private static String kind(String thread) {
        if (thread.startsWith("duckdb-writer")) {
            return "duckdb-writer";
        }
        if (thread.startsWith("http-nio")) {
            return "http-nio (request threads)";
        }
        return "other";
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private static List<String> top(Map<String, Integer> m, int k, int of) {
        return m.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(k)
                .map(e -> String.format(Locale.ROOT, "%5.1f%%  %s", 100.0 * e.getValue() / of, e.getKey())).toList();
    }
}
