package dev.tokenstats.imports;

/**
 * Writes one event as a JSON object in tokenstats' event format (the body of {@code POST /api/v1/events}).
 * Values are written as the source has them; checking them is the ingestion path's job.
 */
final class EventJson {

    private final StringBuilder b = new StringBuilder(256);
    private boolean first = true;

    EventJson() {
        b.append('{');
    }

    private void name(String name) {
        if (!first) {
            b.append(',');
        }
        first = false;
        b.append('"').append(name).append("\":");
    }

    EventJson text(String name, String value) {
        if (value != null) {
            name(name);
            quote(value);
        }
        return this;
    }

    EventJson number(String name, long value) {
        name(name);
        b.append(value);
        return this;
    }

    EventJson bool(String name, Boolean value) {
        if (value != null) {
            name(name);
            b.append(value.booleanValue());
        }
        return this;
    }

    /** A value exactly as written in the source: an integer if it is one, otherwise a string (reported if wrong). */
    EventJson integerOrText(String name, String value) {
        if (value == null) {
            return this;
        }
        if (isInteger(value)) {
            name(name);
            b.append(value);
        } else {
            text(name, value);
        }
        return this;
    }

    /** {@code true}/{@code false} as booleans, anything else as a string (reported if wrong). */
    EventJson boolOrText(String name, String value) {
        if (value == null) {
            return this;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return bool(name, Boolean.parseBoolean(value.toLowerCase()));
        }
        return text(name, value);
    }

    static boolean isInteger(String s) {
        int n = s.length();
        if (n == 0 || n > 19) {
            return false;
        }
        int i = s.charAt(0) == '-' ? 1 : 0;
        if (i == n) {
            return false;
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private void quote(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    @Override
    public String toString() {
        return b + "}";
    }
}
