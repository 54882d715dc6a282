package dev.tokenstats.store.duckdb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Decides, for the writer threads, which events are new and which are duplicates, so that an event is
 * stored once however many writers run. A key is "stored" once its commit succeeded ({@link KeyIndex});
 * while a commit is running its keys are "in flight", owned by that commit. An event whose key is in
 * flight elsewhere waits for that commit's outcome: a duplicate if it committed, new if it failed — so a
 * client is never told "duplicate" for an event that is not stored.
 */
final class Dedup {

    /** Hashed several times per event by the writer: equals and hashCode are written out (see {@link PreparedBatch.Combo}). */
    record Fingerprint(long hi, long lo) {
        @Override
        public int hashCode() {
            return Long.hashCode(hi); // the first 8 bytes of a SHA-256
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && hi == f.hi && lo == f.lo;
        }
    }

    private final KeyIndex stored;
    private final Map<Fingerprint, CompletableFuture<Boolean>> inFlight = new HashMap<>();

    Dedup(KeyIndex stored) {
        this.stored = stored;
    }

    /** A commit's claim on the keys it will store. */
    final class Claim {
        final boolean[][] duplicate;
        private final List<Fingerprint> claimed = new ArrayList<>();
        private final List<Integer> minutes = new ArrayList<>();
        private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

        private Claim(int batches) {
            duplicate = new boolean[batches][];
        }

        /** The keys are stored: later events with them are duplicates. */
        void committed(int oldestMinute) {
            synchronized (Dedup.this) {
                for (int i = 0; i < claimed.size(); i++) {
                    Fingerprint f = claimed.get(i);
                    stored.add(f.hi(), f.lo(), minutes.get(i), oldestMinute);
                    inFlight.remove(f);
                }
            }
            outcome.complete(true);
        }

        /** The commit failed: the keys are free again. */
        void failed() {
            synchronized (Dedup.this) {
                claimed.forEach(inFlight::remove);
            }
            outcome.complete(false);
        }
    }

    /**
     * Claims the keys of {@code batches} (each a fingerprint array, two longs an event, with each event's
     * minute), marking duplicates (stored, in {@code alsoStored}, or earlier in the same claim); waits for
     * commits that hold one of the keys.
     */
    Claim claim(List<long[]> fingerprints, List<int[]> eventMinutes, java.util.Set<Fingerprint> alsoStored)
            throws InterruptedException {
        while (true) {
            CompletableFuture<Boolean> blocker = null;
            Claim claim = new Claim(fingerprints.size());
            synchronized (this) {
                Map<Fingerprint, Boolean> mine = new HashMap<>();
                outer:
                for (int b = 0; b < fingerprints.size(); b++) {
                    long[] fp = fingerprints.get(b);
                    boolean[] dup = new boolean[fp.length / 2];
                    for (int i = 0; i < dup.length; i++) {
                        Fingerprint f = new Fingerprint(fp[2 * i], fp[2 * i + 1]);
                        CompletableFuture<Boolean> other = inFlight.get(f);
                        if (other != null) {
                            blocker = other;
                            break outer;
                        }
                        if (stored.contains(f.hi(), f.lo()) || alsoStored.contains(f) || mine.putIfAbsent(f, Boolean.TRUE) != null) {
                            dup[i] = true;
                        } else {
                            claim.claimed.add(f);
                            claim.minutes.add(eventMinutes.get(b)[i]);
                        }
                    }
                    claim.duplicate[b] = dup;
                }
                if (blocker == null) {
                    claim.claimed.forEach(f -> inFlight.put(f, claim.outcome));
                    return claim;
                }
            }
            try {
                blocker.get();
            } catch (java.util.concurrent.ExecutionException e) {
                // the other commit's outcome is all we wait for
            }
        }
    }

    synchronized int size() {
        return stored.size();
    }

    synchronized long bytes() {
        return stored.bytes();
    }
}
