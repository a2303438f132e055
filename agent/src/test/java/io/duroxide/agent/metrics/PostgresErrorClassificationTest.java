package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ProviderException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * {@code error_type} of {@code duroxide_provider_errors_total} for PostgreSQL failures, one test per
 * SQLState class, with the exceptions pgjdbc really throws (built from the server's error message
 * fields) wrapped the way a provider reports them.
 */
class PostgresErrorClassificationTest {

    /** What pgjdbc throws when the server reports an error with this SQLState. */
    private static PSQLException server(String sqlState, String message) {
        return new PSQLException(new ServerErrorMessage("SERROR\0V" + "ERROR\0C" + sqlState + "\0M" + message + "\0"));
    }

    /** As a provider reports it: its own exception with the driver's as the cause. */
    private static String classifyFromProvider(SQLException driver) {
        return ProviderErrors.classify(new ProviderException("commitTurn", driver.getMessage(), false, driver));
    }

    @Test
    void connectionClass08() {
        assertThat(classifyFromProvider(server("08006", "connection failure"))).isEqualTo("connection");
        assertThat(classifyFromProvider(server("08001", "could not connect"))).isEqualTo("connection");
    }

    @Test
    void deadlockDetected40P01() {
        assertThat(classifyFromProvider(server("40P01", "deadlock detected"))).isEqualTo("deadlock");
    }

    @Test
    void serializationFailure40001CountsAsADeadlock() {
        assertThat(classifyFromProvider(server("40001", "could not serialize access due to concurrent update")))
                .isEqualTo("deadlock");
    }

    @Test
    void statementTimeout57014() {
        assertThat(classifyFromProvider(server("57014", "canceling statement due to statement timeout")))
                .isEqualTo("timeout");
    }

    @Test
    void integrityConstraintClass23() {
        assertThat(classifyFromProvider(server("23505", "duplicate key value violates unique constraint"))).isEqualTo(
                "constraint_violation");
        assertThat(classifyFromProvider(server("23503", "violates foreign key constraint"))).isEqualTo("constraint_violation");
    }

    @Test
    void dataCorruptedXX001AndIndexCorruptedXX002() {
        assertThat(classifyFromProvider(server("XX001", "invalid page in block 7"))).isEqualTo("corruption");
        assertThat(classifyFromProvider(server("XX002", "index is corrupted"))).isEqualTo("corruption");
    }

    @Test
    void adminShutdown57P01IsAConnectionError() {
        assertThat(classifyFromProvider(server("57P01", "terminating connection due to administrator command")))
                .isEqualTo("connection");
    }

    @Test
    void aBatchFailureIsClassifiedFromItsNextException() {
        // pgjdbc's batch failures chain the server's error with setNextException.
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", null, 0, new int[0], null);
        batch.setNextException(server("40P01", "deadlock detected"));
        assertThat(classifyFromProvider(batch)).isEqualTo("deadlock");
    }

    @Test
    void theCauseChainIsWalkedPastNonSqlWrappers() {
        RuntimeException wrapped = new RuntimeException("pool", new IllegalStateException("x", server("08006", "gone")));
        assertThat(ProviderErrors.classify(new ProviderException("fetch", "failed", true, wrapped))).isEqualTo("connection");
    }

    @Test
    void anUnclassifiedSqlStateIsOther() {
        assertThat(classifyFromProvider(server("42601", "syntax error"))).isEqualTo("other");
    }
}
