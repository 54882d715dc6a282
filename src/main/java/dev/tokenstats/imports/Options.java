package dev.tokenstats.imports;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command line of an importer: positional arguments, {@code --name value} / {@code --name=value}
 * options, flags, and Spring properties ({@code --tokenstats.data-dir=DIR}, {@code --spring.datasource.url=...}:
 * any option whose name has a dot), which configure the store of an in-process import.
 */
final class Options {

    final List<String> positional = new ArrayList<>();
    final Map<String, String> values = new LinkedHashMap<>();
    final List<String> springArgs = new ArrayList<>();

    /** Parses {@code args}; {@code known} are the options (flags included) that may appear. */
    static Options parse(String[] args, Set<String> flags, Set<String> known) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.equals("--")) {
                o.positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.contains(".")) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                o.springArgs.add("--" + name + "=" + value);
                continue;
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (flags.contains(name)) {
                if (value != null && !value.equals("true") && !value.equals("false")) {
                    throw new UsageException("--" + name + " takes no value");
                }
                o.values.put(name, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            o.values.put(name, value);
        }
        return o;
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    String required(String name, String what) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("--" + name + " is required: " + what);
        }
        return v;
    }

    boolean flag(String name) {
        return "true".equals(values.get(name));
    }

    int integer(String name, int otherwise, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v.replace("_", ""));
            if (n < min || n > max) {
                throw new UsageException("--" + name + " must be " + min + "-" + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number");
        }
    }

    /** {@code 5s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}). */
    Duration duration(String name, Duration otherwise) {
        String v = values.get(name);
        return v == null ? otherwise : duration("--" + name, v);
    }

    static Duration duration(String what, String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new UsageException(what + " must be a duration such as 5s, 2m, 1h, 3d or PT5S (got '" + v + "')");
        }
    }

    /** A mistake on the command line: the message says what to change. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
