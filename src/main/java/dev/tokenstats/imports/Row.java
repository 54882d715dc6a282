package dev.tokenstats.imports;

/**
 * One row of a source: its number there (a line number, or new-api's log id) and either the event it
 * stands for, as one JSON object in tokenstats' event format, or the reason it could not be read.
 * {@code adjusted} notes a change the mapping made (reported in the summary).
 */
record Row(long number, String json, String problem, String adjusted) {

    static Row event(long number, String json) {
        return new Row(number, json, null, null);
    }

    static Row event(long number, String json, String adjusted) {
        return new Row(number, json, null, adjusted);
    }

    static Row bad(long number, String problem) {
        return new Row(number, null, problem, null);
    }
}
