package io.duroxide.provider.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shared statement templates in SQLite: the transaction's clock is ?1, the values follow in order. */
class SqliteDialectTest {
    private final SqliteDialect dialect = SqliteDialect.INSTANCE;

    @Test
    void theClockIsParameterOneAndValuesFollowInTemplateOrder() {
        assertThat(dialect.render("UPDATE t SET until = {now} + {ms}, at = {now} WHERE id = ? AND token = ?"))
                .isEqualTo("UPDATE t SET until = ?1 + ?2, at = ?1 WHERE id = ?3 AND token = ?4");
        assertThat(dialect.args(1_000L, 30L, "a", "t")).containsExactly(1_000L, 30L, "a", "t");
    }

    @Test
    void aTemplateWithoutTheClockStillBindsItFirst() {
        assertThat(dialect.render("DELETE FROM t WHERE id = ?")).isEqualTo("DELETE FROM t WHERE id = ?2");
        assertThat(dialect.args(5L, "a")).containsExactly(5L, "a");
    }

    @Test
    void aHeldRowIsFoundByTheKeyItsTokenCarries() {
        String instanceToken = SqliteDialect.INSTANCE.instanceLockToken("order-1");
        assertThat(dialect.heldByArgs(instanceToken, false)).containsExactly("order-1", instanceToken);
        String leaseToken = "0123456789abcdef0123456789abcdef0123:42";
        assertThat(dialect.heldByArgs(leaseToken, true)).containsExactly(42L, leaseToken);
        assertThat(dialect.heldByArgs("not-ours", true)).containsExactly(-1L, "not-ours");
    }
}
