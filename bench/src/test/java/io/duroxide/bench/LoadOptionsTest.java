package io.duroxide.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.bench.LoadGenerator.LoadOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The load generator's store options: each mistake gets one message naming the flag. */
class LoadOptionsTest {

    @Test
    void sqliteIsTheDefaultStore() {
        LoadOptions options = LoadOptions.parse(new String[] {"--db", "x.db"});
        assertThat(options.store()).isEqualTo(Store.sqlite(Path.of("x.db")));
    }

    @Test
    void postgresTakesTheUrlAndSchema() {
        LoadOptions options = LoadOptions.parse(new String[] {"--provider", "postgres", "--pg-url",
                "jdbc:postgresql://db:5432/app?user=u&password=secret", "--pg-schema", "load_1"});
        assertThat(options.store().isPostgres()).isTrue();
        assertThat(options.store().pgOptions().schema()).isEqualTo("load_1");
        assertThat(options.store().describe()).contains("jdbc:postgresql://db:5432/app?user=u&password=***")
                .doesNotContain("secret");
    }

    @Test
    void postgresWithoutAUrlSaysWhichFlagIsMissing() {
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--provider", "postgres"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--provider postgres needs --pg-url");
    }

    @Test
    void aUrlThatIsNotPostgresIsRefused() {
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--provider", "postgres", "--pg-url", "jdbc:mysql://x/y"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PostgreSQL JDBC URL");
    }

    @Test
    void anUnknownProviderIsRefused() {
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--provider", "oracle"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--provider must be sqlite or postgres, was 'oracle'");
    }

    @Test
    void postgresFlagsWithoutThePostgresProviderAreRefused() {
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--pg-url", "jdbc:postgresql://x/y"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--pg-url and --pg-schema need --provider postgres");
    }
}
