package io.duroxide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.provider.postgres.PostgresTestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The command-line tool against PostgreSQL ({@code DUROXIDE_TEST_PG_URL}; skipped with one line without it,
 * failing instead with {@code DUROXIDE_REQUIRE_POSTGRES=1}), the reading tests in one schema, each writing test in one of its own.
 */
class PostgresCliIT extends CliContract {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private final List<String> schemas = new ArrayList<>();

    @Override
    protected Store createStore(String purpose) {
        String schema = "dxt_cli_" + purpose.replace('-', '_') + "_" + Long.toHexString(System.nanoTime());
        schemas.add(schema);
        return new Store(PostgresProvider.open(PostgresTestDatabase.options(schema)),
                List.of("--store", PostgresTestDatabase.url(), "--schema", schema));
    }

    @Override
    protected void removeStores() {
        schemas.forEach(schema -> PostgresProvider.dropSchema(PostgresTestDatabase.options(schema)));
    }

    @Test
    void aWrongPasswordOrSchemaIsOneLineThatNeverShowsThePassword() {
        String wrong = PostgresTestDatabase.url().replaceAll("password=[^&]*", "password=Wr0ng-S3cret");
        CliProcess.Result refused = CliProcess.run("--store", wrong, "list");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
        assertThat(refused.err()).startsWith("duroxide: cannot read the store at ").contains("password=***")
                .doesNotContain("Wr0ng-S3cret").hasLineCount(1);

        CliProcess.Result noSchema = CliProcess.run("--store", PostgresTestDatabase.url(), "--schema", "no_such_store", "list");
        assertThat(noSchema.exitCode()).isEqualTo(3);
        assertThat(noSchema.err()).startsWith("duroxide: no store in schema 'no_such_store' at ")
                .doesNotContain("password=duroxide");
    }
}
