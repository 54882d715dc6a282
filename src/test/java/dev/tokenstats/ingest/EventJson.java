package dev.tokenstats.ingest;

import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One usage event as a gateway writes it: field name to the raw JSON text of its value, so a test
 * controls exactly what goes over the wire (number spelling, strings for numbers, nulls, omissions).
 */
final class EventJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, String> fields = new LinkedHashMap<>();

    /** An event with every required field and nothing else. */
    static EventJson required(String account, String id, long timeMillis, String model,
                              long prompt, long completion, long quota) {
        return new EventJson()
                .with("id", string(id))
                .with("account", string(account))
                .with("time", Long.toString(timeMillis))
                .with("model", string(model))
                .with("prompt_tokens", Long.toString(prompt))
                .with("completion_tokens", Long.toString(completion))
                .with("quota", Long.toString(quota));
    }

    /** Sets a field to the given raw JSON value text. */
    EventJson with(String field, String rawJson) {
        fields.put(field, rawJson);
        return this;
    }

    EventJson without(String field) {
        fields.remove(field);
        return this;
    }

    EventJson copy() {
        EventJson c = new EventJson();
        c.fields.putAll(fields);
        return c;
    }

    /** A JSON string literal, escaped as JSON requires. */
    static String string(String s) {
        return JSON.writeValueAsString(s);
    }

    @Override
    public String toString() {
        return fields.entrySet().stream().map(e -> string(e.getKey()) + ":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    static String array(List<EventJson> events) {
        return events.stream().map(EventJson::toString).collect(Collectors.joining(",", "[", "]"));
    }

    static String ndjson(List<EventJson> events) {
        return events.stream().map(EventJson::toString).collect(Collectors.joining("\n", "", "\n"));
    }
}
