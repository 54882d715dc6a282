package dev.tokenstats.imports;

import dev.tokenstats.imports.Report.Rejection;
import dev.tokenstats.ingest.EventReader;
import dev.tokenstats.store.UsageEvent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks rows exactly as {@code POST /api/v1/events} checks a request ({@link EventReader}, with backfill:
 * history may be older than the lateness limit), naming every problem of every row.
 */
final class Validation {

    /** The rows that passed, the events they stand for (same order), and the rows that did not. */
    record Checked(List<Row> rows, List<UsageEvent> events, List<Rejection> rejected) {
    }

    private final EventReader reader;

    Validation(EventReader reader) {
        this.reader = reader;
    }

    Checked check(List<Row> rows) {
        List<Row> candidates = new ArrayList<>(rows.size());
        List<Rejection> rejected = new ArrayList<>();
        for (Row r : rows) {
            if (r.problem() != null) {
                rejected.add(new Rejection(r.number(), r.problem()));
            } else {
                candidates.add(r);
            }
        }
        if (candidates.isEmpty()) {
            return new Checked(List.of(), List.of(), rejected);
        }
        EventReader.Result result;
        try {
            result = reader.read(ndjson(candidates), true, true);
        } catch (EventReader.NotJsonException | EventReader.TooManyEventsException e) {
            return oneByOne(candidates, rejected);
        }
        Map<Integer, List<String>> problems = new TreeMap<>();
        for (EventReader.Problem p : result.problems()) {
            problems.computeIfAbsent(p.index(), i -> new ArrayList<>())
                    .add(p.field().isEmpty() ? p.message() : p.field() + ": " + p.message());
        }
        if (result.events().size() + problems.size() != candidates.size()) {
            return oneByOne(candidates, rejected); // a row was not exactly one JSON object
        }
        List<Row> ok = new ArrayList<>(result.events().size());
        for (int i = 0; i < candidates.size(); i++) {
            List<String> p = problems.get(i);
            if (p == null) {
                ok.add(candidates.get(i));
            } else {
                rejected.add(new Rejection(candidates.get(i).number(), Report.reason(p)));
            }
        }
        rejected.sort(java.util.Comparator.comparingLong(Rejection::number));
        return new Checked(ok, result.events(), rejected);
    }

    /** The slow path when the batch as a whole is not readable: each row on its own. */
    private Checked oneByOne(List<Row> candidates, List<Rejection> rejected) {
        List<Row> ok = new ArrayList<>();
        List<UsageEvent> events = new ArrayList<>();
        for (Row r : candidates) {
            try {
                EventReader.Result one = reader.read(r.json().getBytes(StandardCharsets.UTF_8), true, true);
                if (one.problems().isEmpty() && one.events().size() == 1) {
                    ok.add(r);
                    events.add(one.events().get(0));
                } else if (one.events().size() + one.problems().size() > 1 && one.problems().isEmpty()) {
                    rejected.add(new Rejection(r.number(), "holds more than one event"));
                } else {
                    List<String> p = new ArrayList<>();
                    one.problems().forEach(x -> p.add(x.field().isEmpty() ? x.message() : x.field() + ": " + x.message()));
                    rejected.add(new Rejection(r.number(), p.isEmpty() ? "holds no event" : Report.reason(p)));
                }
            } catch (EventReader.NotJsonException e) {
                rejected.add(new Rejection(r.number(), "not valid JSON: " + e.getMessage().replaceFirst("^the body is not valid JSON: ", "")));
            }
        }
        rejected.sort(java.util.Comparator.comparingLong(Rejection::number));
        return new Checked(ok, events, rejected);
    }

    static byte[] ndjson(List<Row> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 256);
        for (Row r : rows) {
            out.writeBytes(r.json().getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }
}
