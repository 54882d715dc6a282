package dev.tokenstats.store.duckdb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The set of (account, id) pairs stored within the dedup window, as 128-bit fingerprints (the first
 * 16 bytes of SHA-256; a false match among a billion keys has odds below 10^-20). Open addressing
 * with linear probing over parallel arrays: 20 bytes a slot, at most 70% full. Each entry keeps the
 * epoch minute of its event so that entries older than the window are dropped when the table grows.
 *
 * <p>It is a cache of what the events table holds: built from it at start, and extended only after a
 * commit succeeded. Not thread-safe: only the writer thread touches it.
 */
final class KeyIndex {

    private long[] hi;
    private long[] lo;
    private int[] minute;
    private int size;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    KeyIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(1024, (int) Math.min(1 << 30, expected * 10L / 7)) - 1) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        hi = new long[capacity];
        lo = new long[capacity];
        minute = new int[capacity];
        size = 0;
    }

    int size() {
        return size;
    }

    /** Estimated bytes of heap held. */
    long bytes() {
        return hi.length * 20L;
    }

    /**
     * Writes the fingerprint of (account, id) as two longs into {@code out[at]}, {@code out[at + 1]};
     * the second is never 0, so (0, 0) marks an empty slot. Thread-safe.
     */
    static void fingerprint(String account, String id, long[] out, int at) {
        MessageDigest sha256 = SHA256.get();
        sha256.update(account.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n'); // never part of an account name, so the pair is unambiguous
        byte[] d = sha256.digest(id.getBytes(StandardCharsets.UTF_8));
        long h = 0, l = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
            l = (l << 8) | (d[i + 8] & 0xff);
        }
        out[at] = h;
        out[at + 1] = l | 1;
    }

    boolean contains(long h, long l) {
        int mask = hi.length - 1;
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            if (lo[i] == 0) {
                return false;
            }
            if (hi[i] == h && lo[i] == l) {
                return true;
            }
        }
    }

    /** Adds a fingerprint; {@code oldestMinute} is the window's start, used when the table must grow. */
    void add(long h, long l, int eventMinute, int oldestMinute) {
        if ((size + 1) * 10L > hi.length * 7L) {
            grow(oldestMinute);
        }
        insert(h, l, eventMinute);
    }

    private void insert(long h, long l, int eventMinute) {
        int mask = hi.length - 1;
        for (int i = slot(h, mask); ; i = (i + 1) & mask) {
            if (lo[i] == 0) {
                hi[i] = h;
                lo[i] = l;
                minute[i] = eventMinute;
                size++;
                return;
            }
            if (hi[i] == h && lo[i] == l) {
                minute[i] = Math.max(minute[i], eventMinute);
                return;
            }
        }
    }

    private void grow(int oldestMinute) {
        long[] oh = hi, ol = lo;
        int[] om = minute;
        int live = 0;
        for (int i = 0; i < ol.length; i++) {
            if (ol[i] != 0 && om[i] >= oldestMinute) {
                live++;
            }
        }
        // Grow only when the live entries would still fill more than half of today's table.
        int capacity = live * 2L > oh.length ? oh.length * 2 : oh.length;
        allocate(capacity);
        for (int i = 0; i < ol.length; i++) {
            if (ol[i] != 0 && om[i] >= oldestMinute) {
                insert(oh[i], ol[i], om[i]);
            }
        }
    }

    private static int slot(long h, int mask) {
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
