package io.duroxide.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** JSON for payloads and stored records. Malformed input becomes a {@link PayloadException} naming the target type. */
public final class JsonConverter {
    public static final JsonConverter DEFAULT = new JsonConverter();

    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public String toJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new PayloadException("cannot serialise " + value.getClass().getName() + " to JSON: " + e.getOriginalMessage(), e);
        }
    }

    public <T> T fromJson(String json, Class<T> type) {
        if (json == null || type == Void.class) {
            return null;
        }
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new PayloadException("cannot read " + abbreviate(json) + " as " + type.getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String abbreviate(String json) {
        return json.length() <= 80 ? "'" + json + "'" : "'" + json.substring(0, 77) + "...'";
    }

    /** A payload that cannot be converted. Not retryable: the same bytes fail the same way. */
    public static final class PayloadException extends RuntimeException implements CodedFailure {
        PayloadException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String errorCode() {
            return "payload";
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }
}
