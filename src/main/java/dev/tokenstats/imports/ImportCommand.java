package dev.tokenstats.imports;

import dev.tokenstats.ingest.EventReader;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar tokenstats.jar import <newapi|csv|ndjson|azure-trace> ...}: brings usage that exists
 * elsewhere into tokenstats, through the same checks, dedup and aggregates as live ingestion. Without
 * {@code --url} it writes into the store of {@code --tokenstats.data-dir} in this process (no web server;
 * the store must not be open in a running server); with {@code --url U --key K} it posts to a running
 * server's ingestion API. Exit status: 0 done, 2 done but some rows were rejected, 1 failed, 64 usage.
 */
public final class ImportCommand {

    static final String USAGE = """
            usage: java -jar tokenstats.jar import <kind> <source> [options]

            kinds:
              newapi <sqlite file | jdbc url | new-api SQL_DSN>   new-api / one-api logs table (consume rows)
                  --table logs  --id-prefix newapi-  --account username|user-id
                  --db-user U  --db-password P (or TOKENSTATS_IMPORT_DB_PASSWORD)
                  --follow (keep polling for new rows; stop with SIGTERM or Ctrl-C)  --poll 5s  --settle 10s
              csv <file>          tokenstats events as CSV, header naming the fields   [--account A]
              ndjson <file>       tokenstats events, one JSON object per line
              azure-trace <file>  TIMESTAMP,ContextTokens,GeneratedTokens
                  --account A --model M  [--key-name K] [--shift P1095D|to-now] [--quota-per-1k-tokens Q] [--id-prefix P]

            where to (default: in this process, into the store of the data folder):
              --tokenstats.data-dir=DIR       the store's folder (the server must not be running on it)
              --url http://HOST:PORT --key K  through a running server's ingestion API (or TOKENSTATS_IMPORT_KEY);
                                              history older than 35 days needs a key with backfill
                                              (TOKENSTATS_BACKFILL_KEY on the server)
            other:
              --restart            ignore the checkpoint and read the source from its start (stored rows are skipped)
              --checkpoint-dir D   where checkpoints live (default: DIR/imports, or ~/.tokenstats/imports with --url)
              --batch 10000        rows per write     --in-flight 2   writes at once
            """;

    private static final Set<String> COMMON = Set.of("url", "key", "restart", "checkpoint-dir", "batch", "in-flight", "help", "verbose");
    private static final Set<String> FLAGS = Set.of("restart", "follow", "help", "verbose");

    private final PrintStream out;
    private final PrintStream err;
    private final boolean tty;
    private volatile Importer importer;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    public ImportCommand(PrintStream out, PrintStream err, boolean tty) {
        this.out = out;
        this.err = err;
        this.tty = tty;
    }

    /** The command line entry: stops cleanly on SIGTERM / Ctrl-C (the batches read are stored, the checkpoint saved). */
    public static int run(String[] args) {
        ImportCommand command = new ImportCommand(System.out, System.err, Progress.stderrIsTerminal());
        Thread hook = new Thread(() -> {
            command.stop();
            command.awaitFinished(Duration.ofSeconds(60));
        }, "import-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = command.execute(args);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waited for us
        }
        return status;
    }

    /** Asks a running import to stop after the rows already read. */
    public void stop() {
        stopRequested = true;
        Importer i = importer;
        if (i != null) {
            i.stop();
        }
    }

    boolean awaitFinished(Duration timeout) {
        try {
            return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs an import; returns the exit status. */
    public int execute(String[] args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        try {
            return importOnce(args);
        } catch (Options.UsageException e) {
            err.println("tokenstats import: " + e.getMessage());
            err.println("(java -jar tokenstats.jar import --help shows how to use it)");
            return 64;
        } catch (ImportFailure e) {
            err.println("tokenstats import failed: " + e.getMessage());
            if (verbose && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return 1;
        } catch (Exception e) {
            err.println("tokenstats import failed: " + e);
            if (verbose) {
                e.printStackTrace(err);
            }
            err.println("(what was stored stays stored; run the same command again to resume)");
            return 1;
        } finally {
            finished.countDown();
        }
    }

    private int importOnce(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 64 : 0;
        }
        String kind = args[0];
        Set<String> known = new HashSet<>(COMMON);
        switch (kind) {
            case "newapi" -> known.addAll(Set.of("table", "id-prefix", "account", "db-user", "db-password", "follow", "poll", "settle"));
            case "csv" -> known.add("account");
            case "ndjson" -> { }
            case "azure-trace" -> known.addAll(Set.of("account", "model", "key-name", "shift", "quota-per-1k-tokens", "id-prefix"));
            default -> throw new Options.UsageException("unknown kind '" + kind + "': newapi, csv, ndjson or azure-trace");
        }
        Options o = Options.parse(Arrays.copyOfRange(args, 1, args.length), FLAGS, known);
        if (o.flag("help")) {
            out.print(USAGE);
            return 0;
        }
        if (o.positional.size() != 1) {
            throw new Options.UsageException(kind + " takes one source (" + (kind.equals("newapi")
                    ? "the SQLite file, a JDBC URL or SQL_DSN" : "a file") + "), got " + o.positional.size());
        }
        boolean api = o.get("url") != null;
        if (api && !o.springArgs.isEmpty()) {
            throw new Options.UsageException(o.springArgs + " configure the store of an in-process import; with --url the"
                    + " server's own settings apply");
        }
        int batch = o.integer("batch", 10_000, 1, 10_000);
        int inFlight = o.integer("in-flight", 2, 1, 8);
        boolean follow = o.flag("follow");

        Destination destination;
        Clock clock;
        Path checkpointDir;
        EventReader reader;
        if (api) {
            String key = o.get("key", System.getenv("TOKENSTATS_IMPORT_KEY"));
            if (key == null || key.isBlank()) {
                throw new Options.UsageException("--url needs --key (an ingest key; or TOKENSTATS_IMPORT_KEY)");
            }
            destination = new ApiDestination(o.get("url"), key);
            clock = Clock.systemUTC();
            checkpointDir = Path.of(o.get("checkpoint-dir", Path.of(System.getProperty("user.home"), ".tokenstats", "imports").toString()));
            // the server checks again (and decides about age); checking here first keeps bad rows out of requests
            reader = new EventReader(clock, Duration.ofDays(35), Duration.ofMinutes(5), batch, 500_000L, Duration.ofDays(400));
        } else {
            if (o.get("key") != null) {
                throw new Options.UsageException("--key is for imports through the API: give --url too");
            }
            ImportStore store = ImportStore.open(o.springArgs);
            destination = new StoreDestination(store);
            clock = store.clock();
            checkpointDir = Path.of(o.get("checkpoint-dir", store.dataDir().resolve("imports").toString()));
            reader = new EventReader(clock, store.maxAge(), store.maxFuture(), batch, store.quotaPerCredit(), store.rawRetention());
        }
        Progress progress = new Progress(err, tty);
        try (destination; Source source = source(kind, o, clock, progress)) {
            if (follow && !source.followable()) {
                throw new Options.UsageException("--follow is for newapi (a table that keeps growing)");
            }
            String description = kind + " " + source.identity() + " -> " + destination.identity();
            Checkpoints checkpoints = new Checkpoints(checkpointDir, kind, description);
            Report report = new Report(source.rowLabel(), checkpoints.rejectsFile(), progress);
            source.resume(o.flag("restart") ? null : checkpoints.load());
            Importer run = new Importer(source, destination, new Validation(reader), checkpoints, report, progress,
                    new Importer.Settings(batch, inFlight, follow, o.duration("poll", Duration.ofSeconds(5))));
            importer = run;
            if (stopRequested) {
                run.stop();
            }
            err.println("importing " + description + (follow ? " (following; SIGTERM or Ctrl-C stops)" : ""));
            try {
                run.run();
            } finally {
                report.close();
            }
            boolean interrupted = run.stopped() && stopRequested;
            String note = "checkpoint: " + checkpoints.file() + " (the next run resumes there; --restart reads everything again)";
            if (report.read() == 0 && source.start() > 0 && !follow) {
                note = "nothing new since the checkpoint " + checkpoints.file() + " (--restart reads everything again)";
            }
            out.println(report.summary((interrupted ? "import stopped" : "import finished") + ": " + description, note));
            return report.rejected() > 0 ? 2 : 0;
        }
    }

    private static Source source(String kind, Options o, Clock clock, Progress progress) throws Exception {
        String src = o.positional.get(0);
        return switch (kind) {
            case "newapi" -> {
                String account = o.get("account", "username");
                if (!account.equals("username") && !account.equals("user-id")) {
                    throw new Options.UsageException("--account must be username or user-id");
                }
                String password = o.get("db-password", System.getenv("TOKENSTATS_IMPORT_DB_PASSWORD"));
                yield new NewApiLogs(NewApiDatabase.of(src, o.get("db-user"), password), o.get("table", "logs"),
                        o.get("id-prefix", "newapi-"), account.equals("user-id"), o.duration("settle", Duration.ofSeconds(10)), clock);
            }
            case "csv" -> new CsvFile(Path.of(src), o.get("account"), progress);
            case "ndjson" -> new NdjsonFile(Path.of(src), progress);
            case "azure-trace" -> {
                BigDecimal q;
                try {
                    q = new BigDecimal(o.get("quota-per-1k-tokens", "0"));
                } catch (NumberFormatException e) {
                    throw new Options.UsageException("--quota-per-1k-tokens must be a decimal number");
                }
                if (q.signum() < 0) {
                    throw new Options.UsageException("--quota-per-1k-tokens must be >= 0");
                }
                yield new AzureTrace(Path.of(src), o.required("account", "the account the trace's calls belong to"),
                        o.required("model", "the model the trace's calls went to"), o.get("key-name", ""), o.get("shift"), q,
                        o.get("id-prefix"), clock, progress);
            }
            default -> throw new IllegalStateException(kind);
        };
    }
}
