package io.duroxide.provider.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ProviderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        postgres://u:s3cr3t@host/db                                  | postgres://u:***@host/db
        jdbc:postgresql://u:s3cr3t@host/db                           | jdbc:postgresql://u:***@host/db
        jdbc:postgresql://u:s3@cr:3t@host:5432/db                    | jdbc:postgresql://u:***@host:5432/db
        jdbc:mysql://h/db?user=u&password=s3cr3t&ssl=true            | jdbc:mysql://h/db?user=u&password=***&ssl=true
        jdbc:postgresql://h/db?user=u&PASSWORD=s3cr3t                | jdbc:postgresql://h/db?user=u&PASSWORD=***
        jdbc:postgresql://h/db?Pass=s3cr3t&user=u                    | jdbc:postgresql://h/db?Pass=***&user=u
        jdbc:sqlserver://h;user=u;pwd=s3cr3t;database=d              | jdbc:sqlserver://h;user=u;pwd=***;database=d
        jdbc:x://h/db?passwd=s3cr3t                                  | jdbc:x://h/db?passwd=***
        jdbc:postgresql://h/db?sslpassword=s3cr3t                    | jdbc:postgresql://h/db?sslpassword=***
        cannot connect to "jdbc:x://h/db?password=s3cr3t": refused   | cannot connect to "jdbc:x://h/db?password=***": refused
        jdbc:x://h/db?password=***s3cr3t                             | jdbc:x://h/db?password=***
        jdbc:x://h/db?password=s3:cr3t&ssl=true                      | jdbc:x://h/db?password=***&ssl=true
        password = s3cr3t then more                                  | password = *** then more
        """)
    void masksEveryPasswordShape(String text, String masked) {
        assertThat(Secrets.mask(text)).isEqualTo(masked).doesNotContain("s3cr3t").doesNotContain("cr:3t");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        jdbc:postgresql://localhost:5432/duroxide?user=duroxide
        jdbc:postgresql://u@host/db
        http://127.0.0.1:9464/metrics
        http://[::1]:9464/metrics
        bypass=1&compass=north&passes=3&password_hint=x
        instance order-1 failed: E_VALIDATE validation of order-1 failed
        SQLite /tmp/duroxide-sample.db
        """)
    void leavesEverythingElseAsItIs(String text) {
        assertThat(Secrets.mask(text)).isEqualTo(text);
    }

    @Test
    void maskingAMaskedTextChangesNothing() {
        String once = Secrets.mask("cannot connect to jdbc:x://u:s3cr3t@h/db?password=s3cr3t: refused");
        assertThat(once).isEqualTo("cannot connect to jdbc:x://u:***@h/db?password=***: refused");
        assertThat(Secrets.mask(once)).isEqualTo(once);
    }

    @Test
    void nullStaysNull() {
        assertThat(Secrets.mask(null)).isNull();
    }

    @Test
    void aProviderExceptionMasksItsMessage() {
        ProviderException e = new ProviderException("open", "cannot connect to jdbc:postgresql://h/db?password=s3cr3t", false, null);
        assertThat(e.getMessage()).isEqualTo("open: cannot connect to jdbc:postgresql://h/db?password=***");
    }
}
