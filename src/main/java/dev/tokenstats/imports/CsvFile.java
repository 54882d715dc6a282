package dev.tokenstats.imports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CSV in tokenstats' own event format: a header naming the event fields (any order: {@code id, account,
 * time, model, key, prompt_tokens, completion_tokens, cached_tokens, quota, credits, duration_ms, status,
 * stream, group, channel}), RFC 4180 quoting. This is also what {@code GET /api/v1/logs.csv} exports, so an
 * export imports back (its spreadsheet guard, a {@code '} before a leading {@code = + - @}, is removed).
 * An empty cell is an absent field; {@code --account} fills the account of rows that have none.
 */
final class CsvFile extends FileSource {

    static final Set<String> INTEGERS = Set.of("prompt_tokens", "completion_tokens", "cached_tokens", "quota", "duration_ms", "time");
    static final Set<String> FIELDS = Set.of("id", "account", "time", "model", "key", "prompt_tokens", "completion_tokens",
            "cached_tokens", "quota", "credits", "duration_ms", "status", "stream", "group", "channel");

    private final String account;
    private String[] header;

    CsvFile(Path file, String account, Progress progress) throws IOException {
        super(file, progress);
        this.account = account;
    }

    @Override
    public String identity() {
        return super.identity() + (account == null ? "" : " account=" + account);
    }

    @Override
    protected void readHeader() throws IOException {
        String line = lines.next();
        if (line == null) {
            throw new ImportFailure(file + " is empty: a CSV import needs a header line naming the fields");
        }
        List<String> names = split(line, 1);
        if (names == null) {
            throw new ImportFailure(file + ": the header line is not valid CSV");
        }
        header = new String[names.size()];
        List<String> ignored = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).strip().toLowerCase(Locale.ROOT);
            if (FIELDS.contains(n)) {
                header[i] = n;
            } else {
                ignored.add(names.get(i));
            }
        }
        List<String> has = java.util.Arrays.stream(header).filter(java.util.Objects::nonNull).toList();
        for (String required : List.of("id", "time", "model", "prompt_tokens", "completion_tokens", "quota")) {
            if (!has.contains(required)) {
                throw new ImportFailure(file + ": the header has no '" + required + "' column (it has: " + String.join(", ", names) + ")");
            }
        }
        if (!has.contains("account") && account == null) {
            throw new ImportFailure(file + ": the header has no 'account' column; give --account for all rows");
        }
        if (!ignored.isEmpty()) {
            progress.println("note: ignoring the columns " + ignored + " (not event fields)");
        }
    }

    @Override
    protected Row row(String line, long number) throws IOException {
        if (line.isEmpty()) {
            return null;
        }
        List<String> cells = split(line, number);
        StringBuilder more = null;
        while (cells == null) { // a quoted cell goes on in the next line
            String next = lines.next();
            if (next == null) {
                return Row.bad(number, "a quoted field is not closed before the end of the file");
            }
            more = more == null ? new StringBuilder(line) : more;
            more.append('\n').append(next);
            cells = split(more.toString(), number);
        }
        if (cells.size() != header.length) {
            return Row.bad(number, "has " + cells.size() + " fields, the header has " + header.length);
        }
        EventJson json = new EventJson();
        boolean hasAccount = false;
        for (int i = 0; i < header.length; i++) {
            String name = header[i];
            String v = cells.get(i);
            if (name == null || v.isEmpty()) {
                continue;
            }
            if (INTEGERS.contains(name)) {
                json.integerOrText(name, v.strip());
            } else if (name.equals("stream")) {
                json.boolOrText(name, v.strip());
            } else {
                if (v.length() > 1 && v.charAt(0) == '\'' && "=+-@".indexOf(v.charAt(1)) >= 0) {
                    v = v.substring(1);
                }
                hasAccount |= name.equals("account");
                json.text(name, v);
            }
        }
        if (!hasAccount && account != null) {
            json.text("account", account);
        }
        return Row.event(number, json.toString());
    }

    /** The cells of one record, or {@code null} when a quoted cell is still open at the end of {@code s}. */
    static List<String> split(String s, long number) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else if (c == '"' && cell.length() == 0 && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            return null;
        }
        cells.add(cell.toString());
        return cells;
    }
}
