package io.duroxide.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ProviderException.Kind;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The kind PostgreSQL failures carry out of the provider, from the exceptions pgjdbc really throws (built
 * from the server's error message fields).
 */
class PostgresErrorsTest {

    /** What pgjdbc throws when the server reports an error with this SQLState. */
    private static PSQLException server(String sqlState, String message) {
        return new PSQLException(new ServerErrorMessage("SERROR\0V" + "ERROR\0C" + sqlState + "\0M" + message + "\0"));
    }

    private static Kind kindOf(SQLException error) {
        return PostgresErrors.wrap("commitTurn", error).kind();
    }

    @Test
    void theSqlStateDecidesTheKind() {
        assertThat(kindOf(server("08006", "connection failure"))).isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(server("57P01", "terminating connection due to administrator command")))
                .isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(server("40P01", "deadlock detected"))).isEqualTo(Kind.DEADLOCK);
        assertThat(kindOf(server("40001", "could not serialize access"))).isEqualTo(Kind.DEADLOCK);
        assertThat(kindOf(server("57014", "canceling statement due to statement timeout"))).isEqualTo(Kind.TIMEOUT);
        assertThat(kindOf(server("23505", "duplicate key value violates unique constraint")))
                .isEqualTo(Kind.CONSTRAINT_VIOLATION);
        assertThat(kindOf(server("XX001", "invalid page in block 7"))).isEqualTo(Kind.CORRUPTION);
        assertThat(kindOf(server("XX002", "index is corrupted"))).isEqualTo(Kind.CORRUPTION);
        assertThat(kindOf(server("42601", "syntax error"))).isEqualTo(Kind.UNKNOWN);
    }

    @Test
    void aBatchFailureTakesTheKindOfTheServerErrorChainedToIt() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", null, 0, new int[0], null);
        batch.setNextException(server("40P01", "deadlock detected"));
        assertThat(kindOf(batch)).isEqualTo(Kind.DEADLOCK);
    }

    @Test
    void withoutASqlStateTheJdbcClassDecides() {
        assertThat(kindOf(new SQLTransientConnectionException("Connection is not available, request timed out")))
                .isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(new java.sql.SQLTimeoutException("t"))).isEqualTo(Kind.TIMEOUT);
        assertThat(kindOf(new SQLException("wrapper", server("23503", "violates foreign key constraint"))))
                .isEqualTo(Kind.CONSTRAINT_VIOLATION);
    }
}
