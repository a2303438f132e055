package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ProviderException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationTest {
    @Test
    void errorCategoriesFromKindThenRootCauseFirst() {
        assertThat(ErrorCategories.categorize("NONDETERMINISM", List.of("x.Y"), "m")).isEqualTo("nondeterminism");
        assertThat(ErrorCategories.categorize("CONFIGURATION", List.of(), "m")).isEqualTo("configuration");
        assertThat(ErrorCategories.categorize("TIMEOUT", List.of(), "m")).isEqualTo("timeout");
        assertThat(ErrorCategories.categorize("APPLICATION",
                List.of("java.lang.RuntimeException", "java.sql.SQLException"), "m")).isEqualTo("database");
        assertThat(ErrorCategories.categorize("APPLICATION",
                List.of("java.lang.RuntimeException", "java.net.ConnectException"), "m")).isEqualTo("network");
        assertThat(ErrorCategories.categorize("APPLICATION",
                List.of("java.io.UncheckedIOException", "java.net.SocketTimeoutException"), "m")).isEqualTo("timeout");
        assertThat(ErrorCategories.categorize("APPLICATION", List.of("java.lang.IllegalArgumentException"), "m")).isEqualTo("validation");
        assertThat(ErrorCategories.categorize("APPLICATION", List.of("com.fasterxml.jackson.core.JsonParseException"), "m"))
                .isEqualTo("serialization");
        assertThat(ErrorCategories.categorize("APPLICATION", List.of("java.lang.NullPointerException"), "m")).isEqualTo("logic");
        assertThat(ErrorCategories.categorize("INFRASTRUCTURE", List.of("io.duroxide.provider.ProviderException"), "m"))
                .isEqualTo("database");
        assertThat(ErrorCategories.categorize("INFRASTRUCTURE", List.of("com.example.Weird"), "m")).isEqualTo("internal");
        assertThat(ErrorCategories.categorize("POISON", List.of(), "m")).isEqualTo("poison");
    }

    @Test
    void aFailedTaskIsClassifiedByTheTaskFailureInsideIt() {
        List<String> chain = List.of("io.duroxide.api.TaskFailedException");
        assertThat(ErrorCategories.categorize("APPLICATION", chain,
                "Charge failed: APPLICATION java.net.ConnectException: refused")).isEqualTo("network");
        assertThat(ErrorCategories.categorize("APPLICATION", chain,
                "SlowOp failed: TIMEOUT io.duroxide.Timeout: too slow")).isEqualTo("timeout");
        assertThat(ErrorCategories.categorize("APPLICATION", chain,
                "Ship failed: APPLICATION io.duroxide.api.ApplicationException [OUT]: gone")).isEqualTo("logic");
        assertThat(ErrorCategories.ALL).hasSize(15);
    }

    @Test
    void providerExceptionsAreClassifiedThroughTheCauseChain() {
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "08006")))).isEqualTo("connection");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "40P01")))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "40001")))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "57014")))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "23505")))).isEqualTo("constraint_violation");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "XX001")))).isEqualTo("corruption");
        assertThat(ProviderErrors.classify(new java.sql.SQLTimeoutException("t"))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(new io.duroxide.provider.LockLostException("commitTurn", "gone"))).isEqualTo("lock_lost");
        assertThat(ProviderErrors.classify(new io.duroxide.api.InstanceAlreadyExistsException("i", io.duroxide.api.RuntimeStatus.RUNNING))).isEqualTo("constraint_violation");
        assertThat(ProviderErrors.classify(new RuntimeException("?"))).isEqualTo("other");
    }

    private static ProviderException carrying(ProviderException.Kind kind, Throwable cause) {
        return new ProviderException("commitTurn", "failed", true, kind, cause);
    }

    @Test
    void theKindTheProviderCarriesWinsOverTheDriversException() {
        SQLException deadlock = new SQLException("deadlock detected", "40P01");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.TIMEOUT, deadlock))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.CONNECTION, null))).isEqualTo("connection");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.DEADLOCK, null))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.CORRUPTION, null))).isEqualTo("corruption");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.CONSTRAINT_VIOLATION, null)))
                .isEqualTo("constraint_violation");
        // also when something wrapped the provider's exception on its way out
        assertThat(ProviderErrors.classify(new IllegalStateException("x",
                carrying(ProviderException.Kind.CORRUPTION, deadlock)))).isEqualTo("corruption");
    }

    @Test
    void withoutAKindTheChainIsStillSniffed() {
        SQLException deadlock = new SQLException("deadlock detected", "40P01");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.UNKNOWN, deadlock))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(new ProviderException("fetch", "failed", true, deadlock))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.UNKNOWN,
                new java.net.SocketTimeoutException("read timed out")))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(carrying(ProviderException.Kind.UNKNOWN, null))).isEqualTo("other");
    }

    @Test
    void messagesAreNormalisedAndTruncated() {
        MessageNormalizer n = new MessageNormalizer(40);
        assertThat(n.normalize("item fail-12 is out of stock")).isEqualTo("item fail-<n> is out of stock");
        assertThat(n.normalize("instance 3f2a9c1e-1111-2222-3333-444455556666 not found"))
                .isEqualTo("instance <uuid> not found");
        assertThat(n.normalize("user 'bob' has   42 items\nstack...")).isEqualTo("user <str> has <n> items");
        assertThat(n.normalize("token deadbeef00 rejected")).isEqualTo("token <hex> rejected");
        assertThat(n.normalize("a very long message that certainly exceeds the configured length"))
                .hasSize(40).endsWith("...");
        assertThat(n.normalize(null)).isEqualTo("none");
    }
}
