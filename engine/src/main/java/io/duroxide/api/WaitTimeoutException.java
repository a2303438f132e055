package io.duroxide.api;

import java.time.Duration;

public class WaitTimeoutException extends DuroxideException {
    public WaitTimeoutException(String instanceId, Duration timeout, RuntimeStatus lastStatus) {
        super("instance '" + instanceId + "' did not finish within " + timeout.toMillis() + " ms (last status " + lastStatus + ")");
    }
}
