package io.duroxide.api;

/**
 * A payload (input, output, event data, custom status) over its size limit. Rejected before anything
 * is stored, so nothing already committed is affected; never retryable.
 */
public class PayloadTooLargeException extends DuroxideException implements CodedFailure {
    /** Largest JSON of an input, output or event payload: 1 MiB. */
    public static final int MAX_PAYLOAD_BYTES = 1 << 20;
    /** Largest JSON of a custom status: 256 KiB. */
    public static final int MAX_CUSTOM_STATUS_BYTES = 256 << 10;

    public PayloadTooLargeException(String what, int bytes, int limit) {
        super(what + " is " + bytes + " bytes of JSON, over the limit of " + limit + " bytes");
    }

    /** Returns the JSON unchanged if it fits, else throws. UTF-8 length is bounded by 3 bytes per char. */
    public static String check(String what, String json, int limit) {
        if (json != null && json.length() * 3L > limit) {
            int bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > limit) {
                throw new PayloadTooLargeException(what, bytes, limit);
            }
        }
        return json;
    }

    @Override
    public String errorCode() {
        return "payload_too_large";
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
