package io.duroxide.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;

/**
 * The {@code --json} output: one document per command, times as ISO-8601 UTC strings, absent values left out,
 * stored payloads embedded as the JSON they are (a payload that is not JSON becomes a string).
 */
final class CliJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private CliJson() {}

    static void print(PrintWriter out, Object document) {
        try {
            out.println(MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON output: " + e.getOriginalMessage(), e);
        }
    }

    /** A stored payload as JSON, or null when there is none. */
    static JsonNode payload(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(json);
        }
    }

    /**
     * Event data given on the command line: JSON ({@code '{"ok":true}'}, {@code 42}, {@code '"text"'}).
     *
     * @throws CliFailure a usage error naming what is wrong with it
     */
    static JsonNode argument(String what, String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CliFailure(CliFailure.USAGE, what + " is not JSON (" + e.getOriginalMessage()
                    + "); quote a string as '\"text\"'");
        }
    }
}
