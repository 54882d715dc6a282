package dev.tokenstats.imports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Where each import stopped, one small file per import (source, destination and mapping) in the data
 * folder's {@code imports/} (or {@code --checkpoint-dir}). A position is saved only once every row up to
 * it is stored, and written atomically; rows stored after the last save are read again after a crash
 * and skipped as duplicates.
 */
final class Checkpoints {

    private final Path dir;
    private final String key;
    private final String description;

    Checkpoints(Path dir, String name, String description) {
        this.dir = dir;
        this.description = description;
        this.key = name + "-" + sha256(description).substring(0, 16);
    }

    Path file() {
        return dir.resolve(key + ".checkpoint");
    }

    Path rejectsFile() {
        return dir.resolve(key + ".rejected.txt");
    }

    /** The saved position, or {@code null}. */
    String load() {
        Path f = file();
        if (!Files.exists(f)) {
            return null;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint " + f, e);
        }
        return p.getProperty("position");
    }

    void save(String position) {
        Properties p = new Properties();
        p.setProperty("import", description);
        p.setProperty("position", position);
        p.setProperty("saved", Instant.now().toString());
        Path f = file();
        Path tmp = dir.resolve(key + ".checkpoint.tmp");
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "tokenstats import checkpoint: where this import resumes");
            }
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the checkpoint " + f, e);
        }
    }

    void clear() {
        try {
            Files.deleteIfExists(file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
