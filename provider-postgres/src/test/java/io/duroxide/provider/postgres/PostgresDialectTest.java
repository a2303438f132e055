package io.duroxide.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shared statement templates in PostgreSQL: the database's clock, durations as intervals, values unchanged. */
class PostgresDialectTest {
    private final PostgresDialect dialect = PostgresDialect.INSTANCE;

    @Test
    void theDatabaseReadsItsOwnClock() {
        assertThat(dialect.render("UPDATE t SET until = {now} + {ms}, at = {now} WHERE token = ?"))
                .isEqualTo("UPDATE t SET until = now() + (? * interval '1 millisecond'), at = now() WHERE token = ?");
        assertThat(dialect.clock()).isNull();
        assertThat(dialect.args(dialect.clock(), 30L, "t")).containsExactly(30L, "t");
    }

    @Test
    void ageIsMillisecondsUntilTheDatabaseClock() {
        assertThat(dialect.render(dialect.millisSince("min(locked_at)")))
                .isEqualTo("(extract(epoch FROM now() - min(locked_at)) * 1000)::bigint");
    }
}
