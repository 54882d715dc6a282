package dev.tokenstats.imports;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs one import: a reader thread pulls batches from the {@link Source}; this thread checks them
 * ({@link Validation}) and hands them to the {@link Destination} with a few writes in flight; as each
 * batch and all before it are stored, the checkpoint moves past it. So an interrupted import (crash,
 * SIGTERM, lost server) resumes at the checkpoint, and whatever was stored after it comes back as
 * duplicates. With {@code follow} the reader polls for new rows until {@link #stop()}.
 */
final class Importer {

    record Settings(int batchRows, int inFlight, boolean follow, Duration poll) {
    }

    private static final Batch END = new Batch(java.util.List.of(), null, 0);

    private final Source source;
    private final Destination destination;
    private final Validation validation;
    private final Checkpoints checkpoints;
    private final Report report;
    private final Progress progress;
    private final Settings settings;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Throwable readFailure;
    private volatile boolean caughtUp;
    private long done;

    Importer(Source source, Destination destination, Validation validation, Checkpoints checkpoints,
             Report report, Progress progress, Settings settings) {
        this.source = source;
        this.destination = destination;
        this.validation = validation;
        this.checkpoints = checkpoints;
        this.report = report;
        this.progress = progress;
        this.settings = settings;
    }

    /** Asks the import to stop after the batches already read (SIGTERM, Ctrl-C, tests). */
    void stop() {
        stopping.countDown();
    }

    boolean stopped() {
        return stopping.getCount() == 0;
    }

    /** Runs until the source is exhausted (or, following, until stopped); throws when it cannot go on. */
    void run() throws Exception {
        progress.start(source.start(), source.total());
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(settings.inFlight() + 1);
        Thread reader = new Thread(() -> read(queue), "import-reader");
        reader.setDaemon(true);
        reader.start();
        ExecutorService writers = Executors.newFixedThreadPool(settings.inFlight(), r -> {
            Thread t = new Thread(r, "import-writer");
            t.setDaemon(true);
            return t;
        });
        Deque<InFlight> inFlight = new ArrayDeque<>();
        try {
            while (true) {
                // with writes in flight, don't wait for the reader: finish the oldest write (it may be the last for a while)
                Batch batch = inFlight.isEmpty() ? queue.poll(1, TimeUnit.SECONDS) : queue.poll();
                if (batch == null) {
                    if (!inFlight.isEmpty()) {
                        complete(inFlight.removeFirst());
                        continue;
                    }
                    if (caughtUp) {
                        progress.update(done, currentTotal(), "following: " + report.status() + "; waiting for new rows");
                    }
                    continue;
                }
                if (batch == END) {
                    break;
                }
                report.read(batch.rows());
                Validation.Checked checked = validation.check(batch.rows());
                report.rejected(checked.rejected());
                report.adjusted(checked.rows());
                inFlight.addLast(new InFlight(batch, writers.submit(() -> destination.write(checked))));
                while (inFlight.size() >= settings.inFlight()) {
                    complete(inFlight.removeFirst());
                }
            }
            while (!inFlight.isEmpty()) {
                complete(inFlight.removeFirst());
            }
        } finally {
            stop();
            for (InFlight f : inFlight) {
                try {
                    f.result.get(); // never leave a write half-way; its batch is read again on resume
                } catch (ExecutionException ignored) {
                    // reported by the first failure
                }
            }
            writers.shutdown();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (reader.isAlive() && System.nanoTime() < deadline) {
                queue.clear(); // a reader blocked on a full queue gets to see the stop
                reader.join(100);
            }
            progress.finish();
        }
        if (readFailure != null) {
            if (readFailure instanceof Exception e) {
                throw e;
            }
            throw new ImportFailure(readFailure.toString(), readFailure);
        }
    }

    private long currentTotal() {
        try {
            long total = source.total();
            progress.total(total);
            return Math.max(total, report.lastRow());
        } catch (Exception e) {
            return report.lastRow();
        }
    }

    private record InFlight(Batch batch, Future<Destination.Outcome> result) {
    }

    private void complete(InFlight f) throws Exception {
        Destination.Outcome outcome;
        try {
            outcome = f.result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        report.stored(outcome.accepted(), outcome.duplicates());
        report.rejected(outcome.rejected());
        if (checkpoints != null) {
            checkpoints.save(f.batch.checkpoint());
        }
        done += f.batch.rows().size();
        progress.update(done, f.batch.progress(), report.status());
    }

    private void read(BlockingQueue<Batch> queue) {
        try {
            while (!stopped()) {
                Batch b = source.next(settings.batchRows());
                if (b == null) {
                    if (!settings.follow()) {
                        break;
                    }
                    caughtUp = true;
                    if (stopping.await(settings.poll().toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    continue;
                }
                caughtUp = false;
                queue.put(b);
            }
        } catch (Throwable t) {
            readFailure = t;
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
