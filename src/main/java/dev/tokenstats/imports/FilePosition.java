package dev.tokenstats.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a file import stands: the next line, its byte offset, and what the file looked like (its first
 * 64 KiB's hash): a resume continues only in the same file, which may have grown since.
 */
record FilePosition(long nextLine, long offset, String head, Map<String, String> extra) {

    private static final int HEAD = 64 * 1024;

    /** A hash of the first {@code min(64 KiB, upTo)} bytes (what was read already; appends do not change it). */
    static String head(Path file, long upTo) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(HEAD, upTo));
            return Checkpoints.sha256(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).substring(0, 32);
        }
    }

    String encode() {
        StringBuilder b = new StringBuilder("line=" + nextLine + ";offset=" + offset + ";head=" + head);
        extra.forEach((k, v) -> b.append(';').append(k).append('=').append(v));
        return b.toString();
    }

    static FilePosition decode(String s) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String p : s.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0) {
                parts.put(p.substring(0, eq), p.substring(eq + 1));
            }
        }
        long line = Long.parseLong(parts.remove("line"));
        long offset = Long.parseLong(parts.remove("offset"));
        String head = parts.remove("head");
        return new FilePosition(line, offset, head, parts);
    }

    /** Whether this position can be continued in {@code file} (same beginning, not shorter). */
    boolean fits(Path file) throws IOException {
        return Files.size(file) >= offset && head(file, offset).equals(head);
    }
}
